package io.troupe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe pg create|list|get|remove}: placement groups through the head's REST API
 * ({@code /api/placement_groups}). The server checks every request; its refusals are printed as
 * one line with its own message.
 */
@Command(name = "pg", mixinStandardHelpOptions = true,
    description = "Create, list, show and remove placement groups.",
    subcommands = {PgCommand.Create.class, PgCommand.ListGroups.class, PgCommand.Get.class, PgCommand.Remove.class})
public final class PgCommand implements Runnable {
  static final String PATH = "/api/placement_groups";
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: create, list, get or remove");
  }

  /** {@code troupe pg create --bundles JSON [--strategy S] [--name N] [--detached] [--gang] [--wait S]}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Reserve a placement group: every bundle or none.")
  public static final class Create implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bundles", required = true, paramLabel = "JSON",
        description = "The bundles: a JSON list of resource maps, e.g. '[{\"CPU\":1,\"GPU\":1},{\"CPU\":1}]'; "
            + "a bundle may also be {\"resources\": {...}, \"label_selector\": {\"zone\": \"a\"}}.")
    String bundles;

    @Option(names = "--strategy", paramLabel = "STRATEGY", defaultValue = "PACK",
        description = "PACK, SPREAD, STRICT_PACK or STRICT_SPREAD (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--name", paramLabel = "NAME", description = "A unique name for the group.")
    String name;

    @Option(names = "--detached", description = "Keep the group until it is removed (otherwise it also ends when the head stops).")
    boolean detached;

    @Option(names = "--gang", description = "Gang policy (3 restarts, 1 s doubling to 30 s): if a member or a bundle's node dies, restart all members together.")
    boolean gang;

    @Option(names = "--wait", paramLabel = "SECONDS",
        description = "Wait up to SECONDS (at most 300) for the group to be CREATED and show it.")
    Double waitS;

    public Create(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      ObjectNode body = JSON.createObjectNode();
      body.set("bundles", parseBundles(spec.commandLine(), bundles));
      body.put("strategy", strategy);
      if (name != null) {
        body.put("name", name);
      }
      if (detached) {
        body.put("lifetime", "detached");
      }
      if (gang) {
        body.put("gang", true);
      }
      Duration timeout = RestClient.TIMEOUT;
      if (waitS != null) {
        if (waitS.isNaN() || waitS < 0 || waitS > 300) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--wait must be a number of seconds between 0 and 300, got " + waitS);
        }
        body.put("wait_s", waitS);
        timeout = timeout.plus(Duration.ofMillis(Math.round(waitS * 1000)));
      }
      RestClient.Answer a = api.client(ctx).call("POST", PATH, body.toString(), timeout);
      String id = a.body().path("placement_group_id").asText("");
      if (a.status() == 408) {
        throw new CliException("placement group " + id + " is not ready after " + OptionParsers.formatQuantity(waitS)
            + " s: " + a.error() + " (it stays and keeps trying; 'troupe pg remove " + id + "' removes it)");
      }
      if (!a.ok()) {
        throw new CliException("cannot create the placement group: " + a.error());
      }
      if (api.json) {
        ctx.out().print(a.body().toPrettyString() + "\n");
      } else if (waitS != null) {
        ctx.out().print(PlacementGroupsView.renderOne(a.body()));
      } else {
        ctx.out().println("Created placement group " + id + (name == null ? "" : " (" + name + ")"));
        ctx.out().println("See it: troupe pg get " + id);
      }
      ctx.out().flush();
      return 0;
    }
  }

  /** {@code troupe pg list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List placement groups: id, name, state, strategy, epoch, bundle nodes, reason.")
  public static final class ListGroups implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    public ListGroups(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      RestClient.Answer a = api.client(ctx).call("GET", PATH, null, RestClient.TIMEOUT);
      if (!a.ok()) {
        throw new CliException("cannot list placement groups: " + a.error());
      }
      ctx.out().print(api.json ? a.body().toPrettyString() + "\n" : PlacementGroupsView.renderList(a.body()));
      ctx.out().flush();
      return 0;
    }
  }

  /** {@code troupe pg get ID_OR_NAME}. */
  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Show one placement group and where each bundle is.")
  public static final class Get implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    @Parameters(paramLabel = "ID_OR_NAME", description = "The group's id (pg-...) or name.")
    String idOrName;

    public Get(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      JsonNode g = find(api.client(ctx), idOrName);
      ctx.out().print(api.json ? g.toPrettyString() + "\n" : PlacementGroupsView.renderOne(g));
      ctx.out().flush();
      return 0;
    }
  }

  /** {@code troupe pg remove ID_OR_NAME}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Remove a placement group: free its reservation and stop its actors.")
  public static final class Remove implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ApiOptions api = new ApiOptions();

    @Parameters(paramLabel = "ID_OR_NAME", description = "The group's id (pg-...) or name.")
    String idOrName;

    public Remove(CliContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      RestClient client = api.client(ctx);
      JsonNode g = find(client, idOrName);
      String id = g.path("placement_group_id").asText();
      RestClient.Answer a = client.call("DELETE", PATH + "/" + encode(id), null, RestClient.TIMEOUT);
      if (!a.ok()) {
        throw new CliException("cannot remove placement group " + id + ": " + a.error());
      }
      if (api.json) {
        ctx.out().print(a.body().toPrettyString() + "\n");
      } else {
        ctx.out().println("Removed placement group " + id + (g.hasNonNull("name") ? " (" + g.get("name").asText() + ")" : ""));
      }
      ctx.out().flush();
      return 0;
    }
  }

  /** The group with this id, else the one with this name; fails naming {@code troupe pg list}. */
  static JsonNode find(RestClient client, String idOrName) {
    RestClient.Answer byId = client.call("GET", PATH + "/" + encode(idOrName), null, RestClient.TIMEOUT);
    if (byId.ok()) {
      return byId.body();
    }
    if (byId.status() != 404) {
      throw new CliException("cannot read placement group '" + idOrName + "': " + byId.error());
    }
    RestClient.Answer byName = client.call("GET", PATH + "?name=" + encode(idOrName), null, RestClient.TIMEOUT);
    if (!byName.ok()) {
      throw new CliException("cannot read placement group '" + idOrName + "': " + byName.error());
    }
    if (byName.body().isArray() && !byName.body().isEmpty()) {
      return byName.body().get(0);
    }
    throw new CliException("no placement group with id or name '" + idOrName + "' (see 'troupe pg list')");
  }

  /** Checks that {@code --bundles} is a JSON list; the server checks the rest. */
  static JsonNode parseBundles(CommandLine cl, String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      throw new CommandLine.ParameterException(cl, "--bundles: malformed JSON" + where
          + "; give a list like '[{\"CPU\": 1, \"GPU\": 1}, {\"CPU\": 1}]'");
    }
    if (node == null || !node.isArray()) {
      throw new CommandLine.ParameterException(cl,
          "--bundles: give a JSON list of resource maps, like '[{\"CPU\": 1, \"GPU\": 1}, {\"CPU\": 1}]'");
    }
    return node;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
