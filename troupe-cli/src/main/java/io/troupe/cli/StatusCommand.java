package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code troupe status}: the cluster's nodes and waiting demands, then its placement groups with each bundle's
 * node and GPU ids, from the head's REST API ({@code --json}: the cluster status JSON as it is).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the cluster: nodes, their resources (used/total), pending and infeasible demands, and "
        + "placement groups with their bundles' nodes and GPU ids, and the cluster autoscaler's launches, failures "
        + "and idle nodes when the head runs one.")
public final class StatusCommand implements Callable<Integer> {
  static final String PATH = "/api/cluster/status";

  private final CliContext ctx;

  @Mixin
  ApiOptions api = new ApiOptions();

  public StatusCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    RestClient client = api.client(ctx);
    JsonNode status = client.get(PATH);
    ctx.out().print(api.json ? status.toPrettyString() + "\n"
        : StatusView.render(status) + groups(client) + autoscaler(client));
    ctx.out().flush();
    return 0;
  }

  /** The text of {@code troupe status}: nodes and demands, then placement groups with their bundles. */
  static String render(RestClient client) {
    return StatusView.render(client.get(PATH)) + groups(client) + autoscaler(client);
  }

  /** The autoscaler section; empty when the head runs none (or is older and has no such endpoint). */
  private static String autoscaler(RestClient client) {
    RestClient.Answer a = client.call("GET", AutoscalerView.PATH, null, RestClient.TIMEOUT);
    return a.ok() ? AutoscalerView.render(a.body()) : "";
  }

  private static String groups(RestClient client) {
    RestClient.Answer a = client.call("GET", PgCommand.PATH, null, RestClient.TIMEOUT);
    if (!a.ok()) {
      return "\nPlacement groups: cannot read them (" + a.error() + ")\n";
    }
    return "\n" + PlacementGroupsView.renderBundles(a.body());
  }
}
