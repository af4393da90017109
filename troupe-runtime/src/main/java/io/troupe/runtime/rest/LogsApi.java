package io.troupe.runtime.rest;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeException;
import io.troupe.runtime.logs.LogsClient;
import io.troupe.runtime.logs.NodeLogs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The head's log endpoints; every read goes to the node that holds the file ({@link LogsClient}):
 * <ul>
 *   <li>{@code GET /api/logs[?node_id=N][&match=TEXT]}: the log files of every ALIVE node (or one), newest first,
 *       as {@code {"files": [{"node_id", "file", "size", "modified_ms"}], "errors": {node: why}}}; {@code match}
 *       keeps file names containing it (an actor id, a replica id {@code app#deployment#id}, {@code app#deployment#});
 *   <li>{@code GET /api/logs/file?node_id=N&file=F[&tail=LINES|&offset=BYTES][&max_bytes=B]}: a chunk
 *       {@code {"node_id", "file", "start", "end", "size", "text"}}: the last {@code tail} lines (default 100), or
 *       from byte {@code offset}; to follow a file, ask again with {@code offset} = the previous {@code end}.
 * </ul>
 */
public final class LogsApi implements Consumer<HttpRouting.Builder> {
  private final Troupe troupe;
  private final LogsClient logs;

  public LogsApi(Troupe troupe, LogsClient logs) {
    this.troupe = troupe;
    this.logs = logs;
  }

  @Override
  public void accept(HttpRouting.Builder r) {
    r.get("/api/logs", (req, res) -> guarded(res, () -> list(req, res)));
    r.get("/api/logs/file", (req, res) -> guarded(res, () -> file(req, res)));
  }

  private void list(ServerRequest req, ServerResponse res) {
    Optional<String> node = req.query().first("node_id").asOptional();
    String match = req.query().first("match").asOptional().filter(s -> !s.isBlank()).orElse(null);
    List<NodeInfo> nodes = node.isPresent() ? List.of(alive(node.get())) : aliveNodes();
    List<CompletableFuture<List<NodeLogs.FileInfo>>> reads = nodes.stream()
        .map(n -> logs.list(n.address(), match).toCompletableFuture()).toList();
    List<Map<String, Object>> files = new ArrayList<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      try {
        for (NodeLogs.FileInfo f : StateApi.await(reads.get(i))) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("node_id", nodes.get(i).nodeId().value());
          m.put("file", f.name());
          m.put("size", f.size());
          m.put("modified_ms", f.modifiedMillis());
          files.add(m);
        }
      } catch (TroupeException e) {
        errors.put(nodes.get(i).nodeId().value(), e.getMessage());
      }
    }
    files.sort((a, b) -> Long.compare((long) b.get("modified_ms"), (long) a.get("modified_ms")));
    Json.ok(res, Map.of("files", files, "errors", errors));
  }

  private void file(ServerRequest req, ServerResponse res) {
    String node = req.query().first("node_id").asOptional()
        .orElseThrow(() -> new BadRequest("node_id is required (GET /api/logs lists the files of every node)"));
    String file = req.query().first("file").asOptional()
        .orElseThrow(() -> new BadRequest("file is required (GET /api/logs lists the files of every node)"));
    long offset = number(req, "offset", -1);
    int tail = (int) number(req, "tail", 100);
    int maxBytes = (int) number(req, "max_bytes", NodeLogs.MAX_READ_BYTES);
    if (tail < 0 || maxBytes <= 0) {
      throw new BadRequest("tail must be >= 0 and max_bytes > 0");
    }
    NodeInfo n = alive(node);
    NodeLogs.Chunk c;
    try {
      c = StateApi.await(logs.read(n.address(), file, offset, tail, maxBytes).toCompletableFuture());
    } catch (TroupeException e) {
      Json.error(res, Status.NOT_FOUND_404, e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node_id", node);
    m.put("file", c.file());
    m.put("start", c.start());
    m.put("end", c.end());
    m.put("size", c.size());
    m.put("text", c.text());
    Json.ok(res, m);
  }

  private List<NodeInfo> aliveNodes() {
    return StateApi.await(troupe.status()).nodes().stream().filter(n -> NodeInfo.ALIVE.equals(n.state())).toList();
  }

  private NodeInfo alive(String node) {
    return aliveNodes().stream().filter(n -> n.nodeId().value().equals(node)).findFirst()
        .orElseThrow(() -> new NotFound("no ALIVE node " + node + " (troupe status lists the nodes)"));
  }

  private static long number(ServerRequest req, String name, long fallback) {
    Optional<String> v = req.query().first(name).asOptional();
    try {
      return v.map(Long::parseLong).orElse(fallback);
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number, got '" + v.get() + "'");
    }
  }

  private static void guarded(ServerResponse res, Runnable body) {
    try {
      body.run();
    } catch (BadRequest e) {
      Json.error(res, Status.BAD_REQUEST_400, e.getMessage());
    } catch (NotFound e) {
      Json.error(res, Status.NOT_FOUND_404, e.getMessage());
    } catch (TroupeException e) {
      Json.error(res, Status.SERVICE_UNAVAILABLE_503, e.getMessage());
    }
  }

  private static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message, null, false, false);
    }
  }
}
