package io.troupe.runtime.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a user asks for: bundles, a strategy, an optional unique name, a lifetime, the owner whose
 * death removes a non-detached group, an optional parent (set when created from inside a group:
 * the new group is carved out of the parent's unused bundle capacity) and an optional gang policy.
 * Immutable; semantic checks (empty bundles, all-zero bundle, duplicate name) happen on creation.
 */
public record PlacementGroupSpec(List<Bundle> bundles, PlacementStrategy strategy, Optional<String> name,
    Lifetime lifetime, String owner, Optional<PlacementGroupId> parent, Optional<GangPolicy> gang) {

  /** How long a group lives. */
  public enum Lifetime {
    /** Removed when its owner (actor or driver) dies. The default. */
    OWNER,
    /** Lives until removed explicitly. */
    DETACHED
  }

  public PlacementGroupSpec {
    bundles = bundles == null ? List.of() : List.copyOf(bundles);
    Objects.requireNonNull(strategy, "strategy");
    name = name == null ? Optional.empty() : name;
    lifetime = lifetime == null ? Lifetime.OWNER : lifetime;
    owner = owner == null ? "" : owner;
    parent = parent == null ? Optional.empty() : parent;
    gang = gang == null ? Optional.empty() : gang;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with defaults: PACK, no name, lifetime OWNER, owner "", no parent, no gang policy. */
  public static final class Builder {
    private final List<Bundle> bundles = new ArrayList<>();
    private PlacementStrategy strategy = PlacementStrategy.PACK;
    private String name;
    private Lifetime lifetime = Lifetime.OWNER;
    private String owner = "";
    private PlacementGroupId parent;
    private GangPolicy gang;

    public Builder bundle(Bundle b) {
      bundles.add(b);
      return this;
    }

    public Builder bundle(Map<String, ? extends Number> resources) {
      return bundle(Bundle.of(resources));
    }

    public Builder bundles(List<Bundle> bs) {
      bundles.addAll(bs);
      return this;
    }

    public Builder strategy(PlacementStrategy s) {
      strategy = s;
      return this;
    }

    /** Parses the strategy name; throws for an unknown one. */
    public Builder strategy(String s) {
      strategy = PlacementStrategy.parse(s);
      return this;
    }

    public Builder name(String n) {
      name = n;
      return this;
    }

    public Builder lifetime(Lifetime l) {
      lifetime = l;
      return this;
    }

    public Builder detached() {
      return lifetime(Lifetime.DETACHED);
    }

    public Builder owner(String o) {
      owner = o;
      return this;
    }

    public Builder parent(PlacementGroupId p) {
      parent = p;
      return this;
    }

    public Builder gang(GangPolicy g) {
      gang = g;
      return this;
    }

    public PlacementGroupSpec build() {
      return new PlacementGroupSpec(bundles, strategy, Optional.ofNullable(name), lifetime, owner,
          Optional.ofNullable(parent), Optional.ofNullable(gang));
    }
  }
}
