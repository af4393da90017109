package io.troupe.examples.placement;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.serve.api.Deployment;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A replica that reserves a multi-bundle placement group (examples/placement): the config gives
 * the deployment {@code placement_group_bundles} and {@code placement_group_strategy}, so every
 * replica gets its own group; the replica runs in bundle 0 and the other bundles stay reserved for
 * the actors it would start (say the other tensor-parallel ranks of a model). Each answer is JSON
 * saying where the replica runs — node, group, bundle index, epoch, its GPU ids — and where every
 * bundle of its group was placed (node and GPU ids, read from the cluster).
 *
 * <p>Stateless apart from where it runs; safe for concurrent calls.
 */
@Deployment(numReplicas = 1, maxOngoingRequests = 4)
public class PlacedReplica {
  static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Supplier<Optional<ActorContext>> context;

  /** The replica as the serving layer builds it: its context is the actor's. */
  public PlacedReplica() {
    this(ActorContext::current);
  }

  /** For tests: where the replica thinks it runs. */
  PlacedReplica(Supplier<Optional<ActorContext>> context) {
    this.context = context;
  }

  /** The HTTP entry: the report as JSON (any path, any method). */
  public ServeResponse handle(ServeRequest request) {
    return ServeResponse.json(200, report().toPrettyString() + "\n");
  }

  /** Where this replica runs; {@code "actor": false} outside an actor (e.g. in a unit test). */
  ObjectNode report() {
    ObjectNode out = JSON.createObjectNode();
    Optional<ActorContext> ctx = context.get();
    if (ctx.isEmpty()) {
      out.put("actor", false);
      return out;
    }
    ActorContext c = ctx.get();
    out.put("actor", true);
    out.put("actor_id", c.actorId().toString());
    out.put("node_id", c.nodeId().toString());
    out.put("placement_group_id", c.placementGroup().map(Object::toString).orElse(null));
    out.put("bundle_index", c.bundleIndex());
    out.put("epoch", c.epoch());
    ArrayNode gpus = out.putArray("gpu_ids");
    c.gpuIds().forEach(gpus::add);
    out.put("cuda_visible_devices", c.cudaVisibleDevices());
    c.placementGroup().ifPresent(pg -> {
      try {
        Optional<PlacementGroupInfo> info = c.troupe().placementGroup(pg)
            .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        info.ifPresent(i -> out.set("group", group(i)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.put("group_error", "interrupted");
      } catch (Exception e) {
        out.put("group_error", "cannot read the placement group: " + e);
      }
    });
    return out;
  }

  static ObjectNode group(PlacementGroupInfo info) {
    ObjectNode g = JSON.createObjectNode();
    g.put("strategy", info.strategy().name());
    g.put("state", info.state().name());
    ArrayNode bundles = g.putArray("bundles");
    for (PlacementGroupInfo.BundleInfo b : info.bundles()) {
      ObjectNode bn = bundles.addObject();
      bn.put("index", b.index());
      ObjectNode res = bn.putObject("resources");
      b.bundle().resources().toMap().forEach(res::put);
      bn.put("node_id", b.node().map(Object::toString).orElse(null));
      ArrayNode ids = bn.putArray("gpu_ids");
      b.gpuIds().forEach(ids::add);
    }
    return g;
  }
}
