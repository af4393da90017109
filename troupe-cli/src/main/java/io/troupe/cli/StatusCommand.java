package io.troupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code troupe status}: the cluster's nodes and waiting demands, from the head's REST API. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the cluster: nodes, their resources (used/total), pending and infeasible demands.")
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
    ctx.out().print(api.json ? status.toPrettyString() + "\n" : StatusView.render(status));
    ctx.out().flush();
    return 0;
  }
}
