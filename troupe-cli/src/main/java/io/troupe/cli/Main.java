package io.troupe.cli;

import io.troupe.runtime.api.TroupeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of the {@code troupe} command. Wires the picocli subcommands to a {@link CliContext}
 * and owns the error contract: a usage error prints one line
 * {@code troupe: <what is wrong> (see 'troupe <cmd> --help')} and exits 2; a runtime failure
 * prints {@code troupe: <message>} and exits 1. Stack traces only with {@code TROUPE_DEBUG=1}.
 */
@Command(
    name = "troupe",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Troupe: distributed model serving for the JVM.",
    subcommands = {
        StartCommand.class,
        StopCommand.class,
        UpCommand.class,
        DownCommand.class,
        StatusCommand.class,
        ListCommand.class,
        PgCommand.class,
        ServeCommand.class,
        LlmCommand.class,
        DemoCommand.class,
        LogsCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args, CliContext.fromSystem()));
  }

  /** Runs one command line against {@code ctx} and returns its exit code. */
  public static int execute(String[] args, CliContext ctx) {
    CommandLine cl = commandLine(ctx);
    int code = cl.execute(args);
    ctx.out().flush();
    ctx.err().flush();
    return code;
  }

  static CommandLine commandLine(CliContext ctx) {
    CommandLine cl = new CommandLine(new Main(), new Factory(ctx));
    cl.setOut(ctx.out());
    cl.setErr(ctx.err());
    cl.setParameterExceptionHandler((ex, args) -> {
      ctx.err().println("troupe: " + usageMessage(ex));
      if (ctx.debug()) {
        ex.printStackTrace(ctx.err());
      }
      return EXIT_USAGE;
    });
    cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
      ctx.err().println("troupe: " + failureMessage(ex));
      if (ctx.debug()) {
        ex.printStackTrace(ctx.err());
      }
      return ex instanceof CliException c ? c.exitCode() : EXIT_FAILURE;
    });
    return cl;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "say what to do: start, stop, up, down, status, list actors, pg, serve or demo");
  }

  /** One line for a usage error, ending with where to read more. */
  static String usageMessage(ParameterException ex) {
    String msg;
    if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      msg = (first.startsWith("-") ? "unknown option '" : "unexpected argument '") + first + "'";
      List<String> suggestions = u.getSuggestions();
      if (!suggestions.isEmpty() && first.startsWith("-")) {
        msg += "; did you mean '" + suggestions.get(0) + "'?";
      }
    } else {
      msg = oneLine(ex.getMessage());
    }
    String cmd = ex.getCommandLine() == null ? "troupe" : ex.getCommandLine().getCommandSpec().qualifiedName();
    return msg + " (see '" + cmd + " --help')";
  }

  static String failureMessage(Exception ex) {
    if (ex instanceof CliException || ex instanceof TroupeException) {
      return oneLine(ex.getMessage());
    }
    if (ex instanceof UncheckedIOException || ex instanceof IOException) {
      return oneLine(ex.getMessage());
    }
    return "internal error: " + oneLine(String.valueOf(ex)) + " (run with TROUPE_DEBUG=1 for details)";
  }

  /** First line of a message, first letter lower-cased, without a trailing period. */
  static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "failed (no details)";
    }
    String s = message.strip().lines().findFirst().orElse("").strip();
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
      s = s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
    return s;
  }

  /** Creates commands, handing the context to those that take one. */
  record Factory(CliContext ctx) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(CliContext.class).newInstance(ctx);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause() instanceof Exception ex ? ex : e; // the command's own failure, not the wrapper
      }
    }
  }

  /** Version from the build ({@code troupe-version.properties}, filtered by Maven). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"troupe " + version(), "JVM: ${java.version} (${java.vendor})"};
    }

    static String version() {
      try (InputStream in = Main.class.getResourceAsStream("/troupe-version.properties")) {
        Properties p = new Properties();
        if (in != null) {
          p.load(in);
        }
        return p.getProperty("version", "unknown");
      } catch (IOException e) {
        return "unknown";
      }
    }
  }
}
