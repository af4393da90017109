package io.troupe.runtime.placement;

import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.ResourceSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link PlacementGroupSpec} before anything is reserved and says what to fix. Stateless;
 * the name and parent checks take the manager's tables as arguments.
 */
final class SpecValidator {
  private SpecValidator() {}

  /** Bundles from plain maps, naming the bad bundle ("bundle 2: resource 'GPU' has negative ..."). */
  static List<Bundle> bundles(List<? extends Map<String, ? extends Number>> maps) {
    List<Bundle> out = new ArrayList<>();
    for (int i = 0; i < maps.size(); i++) {
      try {
        out.add(Bundle.of(maps.get(i)));
      } catch (IllegalArgumentException e) {
        throw new PlacementGroupException("bundle " + i + ": " + e.getMessage());
      }
    }
    return out;
  }

  static void validate(PlacementGroupSpec spec, Map<String, PlacementGroupId> names) {
    if (spec.bundles().isEmpty()) {
      throw new PlacementGroupException("a placement group needs at least one bundle; none were given");
    }
    for (int i = 0; i < spec.bundles().size(); i++) {
      Bundle b = spec.bundles().get(i);
      if (b.resources().isEmpty()) {
        throw new PlacementGroupException("bundle " + i + " asks for nothing (all quantities are zero); "
            + "every bundle must reserve some resource");
      }
      long gpu = b.resources().units(ResourceSet.GPU);
      if (gpu > ResourceSet.UNIT && gpu % ResourceSet.UNIT != 0) {
        throw new PlacementGroupException("bundle " + i + " asks for GPU " + b.resources().get(ResourceSet.GPU)
            + "; a GPU quantity above 1 must be a whole number");
      }
      b.labelSelector().forEach((k, v) -> {
        if (k == null || k.isBlank() || v == null || v.isBlank()) {
          throw new PlacementGroupException("bundle " + b + " has an empty label selector key or value");
        }
      });
    }
    spec.name().ifPresent(n -> {
      if (n.isBlank()) {
        throw new PlacementGroupException("a placement group name must not be blank");
      }
      PlacementGroupId holder = names.get(n);
      if (holder != null) {
        throw new PlacementGroupException("placement group name '" + n + "' is already used by " + holder
            + "; names are unique until the group is removed");
      }
    });
  }
}
