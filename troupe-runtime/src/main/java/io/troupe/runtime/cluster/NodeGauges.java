package io.troupe.runtime.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.node.NodeAgent;
import java.util.function.Supplier;

/**
 * The runtime's gauges on a node's registry, read at scrape time:
 * {@code troupe_node_actors_alive} (actor incarnations hosted and not stopped) and
 * {@code troupe_node_resource_capacity} / {@code troupe_node_resource_available} per
 * {@code resource} (CPU, GPU, memory in bytes, custom). Values are read without the agent's owner
 * thread, so a scrape may be one update behind.
 */
final class NodeGauges {
  private NodeGauges() {
  }

  static void register(MeterRegistry registry, Supplier<NodeAgent> agent, ResourceSet total) {
    Gauge.builder("troupe.node.actors.alive", agent, a -> a.get() == null ? 0 : a.get().liveActorCount())
        .description("Actors hosted on this node and not stopped").strongReference(true).register(registry);
    for (String name : total.names()) {
      Gauge.builder("troupe.node.resource.capacity", total, t -> t.get(name)).tag("resource", name)
          .description("Resources this node offers").strongReference(true).register(registry);
      Gauge.builder("troupe.node.resource.available", agent,
              a -> a.get() == null ? 0 : a.get().ledger().available().get(name))
          .tag("resource", name).description("Resources of this node not allocated to actors or bundles")
          .strongReference(true).register(registry);
    }
  }
}
