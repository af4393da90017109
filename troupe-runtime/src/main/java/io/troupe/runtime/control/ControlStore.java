package io.troupe.runtime.control;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.placement.PlacementGroupStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Durable control state of the head: actors, placement groups, and the addresses of known nodes
 * (a restarted head rejoins them). Calls are synchronous, from the control service's thread; a write
 * is durable when it returns. {@link #inMemory()} keeps nothing across restarts (the default);
 * {@link FileControlStore} writes a directory.
 */
public interface ControlStore {
  void saveActor(ActorSnapshot actor);

  List<ActorSnapshot> loadActors();

  PlacementGroupStore groups();

  void saveNodeAddresses(Set<String> addresses);

  Set<String> loadNodeAddresses();

  /** Stores a key-value entry ({@code value} null deletes it). */
  void saveKv(String key, byte[] value);

  Map<String, byte[]> loadKv();

  /** True when a previous head left state here to recover. */
  default boolean hasState() {
    return !loadActors().isEmpty() || !groups().loadAll().isEmpty();
  }

  static ControlStore inMemory() {
    Map<ActorId, ActorSnapshot> actors = new LinkedHashMap<>();
    PlacementGroupStore groups = PlacementGroupStore.inMemory();
    Set<String>[] nodes = new Set[] {Set.of()};
    Map<String, byte[]> kv = new LinkedHashMap<>();
    return new ControlStore() {
      @Override
      public void saveKv(String key, byte[] value) {
        if (value == null) {
          kv.remove(key);
        } else {
          kv.put(key, value);
        }
      }

      @Override
      public Map<String, byte[]> loadKv() {
        return new LinkedHashMap<>(kv);
      }

      @Override
      public void saveActor(ActorSnapshot actor) {
        actors.put(actor.spec().id(), actor);
      }

      @Override
      public List<ActorSnapshot> loadActors() {
        return new ArrayList<>(actors.values());
      }

      @Override
      public PlacementGroupStore groups() {
        return groups;
      }

      @Override
      public void saveNodeAddresses(Set<String> addresses) {
        nodes[0] = Set.copyOf(addresses);
      }

      @Override
      public Set<String> loadNodeAddresses() {
        return nodes[0];
      }

      @Override
      public boolean hasState() {
        return false; // nothing survives a restart
      }
    };
  }
}
