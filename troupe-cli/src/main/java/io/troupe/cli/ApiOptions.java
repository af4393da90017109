package io.troupe.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that read the head's REST API. Without {@code --address} the URL
 * (and token) come from the head recorded in the session directory, else
 * {@code http://127.0.0.1:8265}.
 */
final class ApiOptions {
  static final String DEFAULT_URL = "http://127.0.0.1:8265";

  @Option(names = "--address", paramLabel = "URL", description = "REST API of the head, e.g. http://10.0.0.5:8265 (default: the head started from this machine, else " + DEFAULT_URL + ").")
  String address;

  @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token for the REST API (default: $TROUPE_DASHBOARD_TOKEN, or the local head's).")
  String token;

  @Option(names = "--json", description = "Print the raw JSON instead of a table.")
  boolean json;

  RestClient client(CliContext ctx) {
    Optional<NodeRecord> head = address == null ? ctx.session().liveHead() : Optional.empty();
    String url = address != null ? address
        : head.map(NodeRecord::dashboardUrl).filter(u -> u != null && !u.isBlank()).orElse(DEFAULT_URL);
    String t = token != null ? token
        : ctx.env().get("TROUPE_DASHBOARD_TOKEN") != null ? ctx.env().get("TROUPE_DASHBOARD_TOKEN")
        : head.map(NodeRecord::dashboardToken).orElse(null);
    return new RestClient(url, t);
  }
}
