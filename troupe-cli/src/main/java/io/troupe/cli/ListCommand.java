package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code troupe list <what>}: listings from the head's REST API. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List cluster objects.",
    subcommands = ListCommand.Actors.class)
public final class ListCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to list: actors");
  }

  /** {@code troupe list actors [ACTOR_ID]}. */
  @Command(name = "actors", mixinStandardHelpOptions = true,
      description = "List actors (id, class, name, state, node, restarts, death cause), or show one.")
  public static final class Actors implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    @Parameters(arity = "0..1", paramLabel = "ACTOR_ID", description = "Show only this actor.")
    String actorId;

    public Actors(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      RestClient client = api.client(ctx);
      String path = actorId == null ? "/api/actors" : "/api/actors/" + URLEncoder.encode(actorId, StandardCharsets.UTF_8);
      JsonNode body;
      try {
        body = client.get(path);
      } catch (CliException e) {
        if (actorId != null && e.getMessage().startsWith("not found")) {
          throw new CliException("no actor '" + actorId + "' (see 'troupe list actors')");
        }
        throw e;
      }
      String text = api.json ? body.toPrettyString() + "\n"
          : actorId == null ? ActorsView.renderList(body) : ActorsView.renderOne(body);
      ctx.out().print(text);
      ctx.out().flush();
      return 0;
    }
  }
}
