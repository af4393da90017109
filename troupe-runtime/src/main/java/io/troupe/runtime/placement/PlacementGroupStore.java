package io.troupe.runtime.placement;

import io.troupe.runtime.api.PlacementGroupId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Durable storage of placement groups (the control service's KV store). Calls are synchronous and
 * made from the manager's owner thread; a write must be durable when it returns, because the
 * manager sends commits right after saving the commit decision.
 */
public interface PlacementGroupStore {
  void save(PersistedGroup group);

  void delete(PlacementGroupId id);

  List<PersistedGroup> loadAll();

  /** A store in memory (tests, single-process clusters). Not thread-safe. */
  static PlacementGroupStore inMemory() {
    Map<PlacementGroupId, PersistedGroup> m = new TreeMap<>();
    return new PlacementGroupStore() {
      @Override
      public void save(PersistedGroup group) {
        m.put(group.id(), group);
      }

      @Override
      public void delete(PlacementGroupId id) {
        m.remove(id);
      }

      @Override
      public List<PersistedGroup> loadAll() {
        return new ArrayList<>(m.values());
      }
    };
  }
}
