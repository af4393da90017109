package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe logs [node|actor|replica|deployment ID]}: log files read through the head's REST API from the node
 * that holds them ({@code GET /api/logs}, {@code GET /api/logs/file}). Without arguments it lists every node's
 * files. {@code --follow} polls each file from where the last read ended until interrupted (Ctrl-C).
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = {"Show logs, read from the node that holds them.",
        "  troupe logs                              list every node's log files",
        "  troupe logs node NODE_ID [--file F]      the node's node.log (or file F)",
        "  troupe logs actor ACTOR_ID               the actor's log file",
        "  troupe logs replica APP#DEPLOYMENT#ID    a serve replica's log file",
        "  troupe logs deployment APP/DEPLOYMENT    the log files of every replica of a deployment"})
public final class LogsCommand implements Callable<Integer> {
  static final long FOLLOW_POLL_MS = 500;
  private final CliContext ctx;

  @Mixin
  ApiOptions api = new ApiOptions();

  @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", description = "node, actor, replica or deployment.")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "Its id (a deployment: APP/DEPLOYMENT).")
  String id;

  @Option(names = "--file", paramLabel = "FILE", description = "With 'node': this file of the node instead of node.log.")
  String file;

  @Option(names = "--tail", paramLabel = "N", description = "Show the last N lines of each file (default: 100).")
  int tail = 100;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines as they are written (Ctrl-C stops).")
  boolean follow;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public LogsCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  /** One file of one node. */
  record Target(String node, String file) {}

  @Override
  public Integer call() {
    if (tail < 0) {
      throw usage("--tail must be >= 0, got " + tail);
    }
    RestClient client = api.client(ctx);
    if (kind == null) {
      return list(client);
    }
    if (id == null || id.isBlank()) {
      throw usage("say which " + kind + ": troupe logs " + kind + " ID");
    }
    List<Target> targets = switch (kind) {
      case "node" -> List.of(new Target(id, file == null ? "node.log" : file));
      case "actor", "replica" -> find(client, safe(id), kind + " " + id, false);
      case "deployment" -> find(client, safe(id.replace('/', '#')) + "#", "deployment " + id, true);
      default -> throw usage("unknown kind '" + kind + "': use node, actor, replica or deployment");
    };
    if (file != null && !kind.equals("node")) {
      throw usage("--file only applies to 'troupe logs node NODE_ID'");
    }
    boolean headers = targets.size() > 1 || kind.equals("deployment");
    Map<Target, Long> offsets = new LinkedHashMap<>();
    Target last = null;
    for (Target t : targets) {
      JsonNode c = read(client, t, -1);
      last = print(t, c, headers, last);
      offsets.put(t, c.path("end").asLong());
    }
    while (follow && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(FOLLOW_POLL_MS * 1_000_000L);
      for (Map.Entry<Target, Long> e : offsets.entrySet()) {
        JsonNode c = read(client, e.getKey(), e.getValue());
        if (c.path("end").asLong() != c.path("start").asLong() || c.path("start").asLong() != e.getValue()) {
          last = print(e.getKey(), c, headers, last);
        }
        e.setValue(c.path("end").asLong());
      }
    }
    return 0;
  }

  private Target print(Target t, JsonNode chunk, boolean headers, Target last) {
    String text = chunk.path("text").asText();
    if (text.isEmpty()) {
      return last;
    }
    if (headers && !t.equals(last)) {
      ctx.out().println("==> " + t.node() + " " + t.file() + " <==");
    }
    ctx.out().print(text.endsWith("\n") ? text : text + "\n");
    ctx.out().flush();
    return t;
  }

  private JsonNode read(RestClient client, Target t, long offset) {
    String q = "/api/logs/file?node_id=" + enc(t.node()) + "&file=" + enc(t.file())
        + (offset >= 0 ? "&offset=" + offset : "&tail=" + tail);
    RestClient.Answer a = client.call("GET", q, null, java.time.Duration.ofSeconds(30));
    if (!a.ok()) {
      throw new CliException(a.error());
    }
    return a.body();
  }

  /** The files whose name contains {@code match}; the newest only unless {@code all}. */
  private List<Target> find(RestClient client, String match, String what, boolean all) {
    JsonNode files = client.get("/api/logs?match=" + enc(match)).path("files");
    List<Target> out = new ArrayList<>();
    for (JsonNode f : files) {
      out.add(new Target(f.path("node_id").asText(), f.path("file").asText()));
    }
    if (out.isEmpty()) {
      throw new CliException("no log file of " + what + " on any alive node (it has logged nothing yet, or its node "
          + "is gone; 'troupe logs' lists the files)");
    }
    return all ? out.reversed() : List.of(out.get(0));
  }

  private int list(RestClient client) {
    JsonNode body = client.get("/api/logs");
    if (api.json) {
      ctx.out().print(body.toPrettyString() + "\n");
    } else {
      Table table = new Table("NODE", "FILE", "SIZE");
      for (JsonNode f : body.path("files")) {
        table.row(f.path("node_id").asText(), f.path("file").asText(), f.path("size").asText());
      }
      ctx.out().print(table.render());
      body.path("errors").fields().forEachRemaining(e ->
          ctx.out().println("(node " + e.getKey() + ": " + e.getValue().asText() + ")"));
    }
    ctx.out().flush();
    return 0;
  }

  /** The file-name form of an id (as the node names actor files). */
  static String safe(String id) {
    return id.replaceAll("[^A-Za-z0-9_#.-]", "_");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
