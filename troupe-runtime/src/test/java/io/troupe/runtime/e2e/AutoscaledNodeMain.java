package io.troupe.runtime.e2e;

import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.rest.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker the {@code local} node provider starts in tests: takes the {@code troupe start} arguments of a
 * launch ({@code --address --num-cpus --num-gpus [--memory] [--resources JSON] --labels k=v,...}), joins, and
 * runs until terminated.
 */
public final class AutoscaledNodeMain {
  private AutoscaledNodeMain() {
  }

  public static void main(String[] args) throws Exception {
    NodeConfig.Builder b = NodeConfig.builder().head(false).memoryBytes(1L << 30)
        .failureDetection(Duration.ofSeconds(4));
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--address" -> b.headAddress(v);
        case "--num-cpus" -> b.numCpus(Double.parseDouble(v));
        case "--num-gpus" -> b.numGpus(Integer.parseInt(v));
        case "--memory" -> b.memoryBytes(Long.parseLong(v));
        case "--resources" -> {
          Map<String, Double> r = new LinkedHashMap<>();
          Json.MAPPER.readTree(v).fields().forEachRemaining(f -> r.put(f.getKey(), f.getValue().asDouble()));
          b.resources(r);
        }
        case "--labels" -> {
          Map<String, String> l = new LinkedHashMap<>();
          for (String kv : v.split(",")) {
            String[] p = kv.split("=", 2);
            l.put(p[0], p[1]);
          }
          b.labels(l);
        }
        default -> throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
    }
    TroupeNode node = TroupeNode.start(b.build());
    System.out.println("READY " + node.nodeId());
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    node.whenTerminated().toCompletableFuture().join();
  }
}
