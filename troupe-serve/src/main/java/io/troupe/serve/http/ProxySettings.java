package io.troupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.serve.config.HttpOptions;
import io.troupe.serve.config.ProxyLocation;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the head tells every node about proxies, through the control service's KV store: where
 * proxies run and with which {@code http_options} ({@link #KEY}), and where each node's proxy
 * listens ({@link #NODE_PREFIX}{@code <node-id>}, written by the node). JSON, so it reads well in
 * the head's {@code --state-dir}. Immutable.
 */
public record ProxySettings(ProxyLocation location, HttpOptions http) {
  /** The applied config's proxy settings, written by the head on every apply. */
  public static final String KEY = "serve/proxy/config";
  /** Prefix of the per-node proxy addresses. */
  public static final String NODE_PREFIX = "serve/proxy/nodes/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A node's proxy as it registered itself. */
  public record NodeProxy(String nodeId, String host, int port) {
  }

  public byte[] encode() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("proxy_location", location.name());
    m.put("host", http.host());
    m.put("port", http.port());
    m.put("request_timeout_s", http.requestTimeout().map(d -> d.toMillis() / 1000.0).orElse(null));
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Throws {@link IllegalArgumentException} when {@code bytes} is not what {@link #encode} writes. */
  public static ProxySettings decode(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      Optional<Duration> timeout = n.hasNonNull("request_timeout_s")
          ? Optional.of(Duration.ofMillis(Math.round(n.get("request_timeout_s").asDouble() * 1000))) : Optional.empty();
      return new ProxySettings(ProxyLocation.valueOf(n.get("proxy_location").asText()),
          new HttpOptions(n.get("host").asText(), n.get("port").asInt(), timeout));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("unreadable serve proxy settings: " + e, e);
    }
  }

  static byte[] encode(NodeProxy p) {
    try {
      return JSON.writeValueAsBytes(Map.of("node_id", p.nodeId(), "host", p.host(), "port", p.port()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Optional<NodeProxy> decodeNode(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      return Optional.of(new NodeProxy(n.get("node_id").asText(), n.get("host").asText(), n.get("port").asInt()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
