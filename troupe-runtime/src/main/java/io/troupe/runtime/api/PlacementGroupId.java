package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/** Identity of a placement group; never reused, also after the group is removed. Immutable. */
public record PlacementGroupId(String value) implements Comparable<PlacementGroupId> {
  public PlacementGroupId {
    Objects.requireNonNull(value, "value");
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PlacementGroupId of(String value) {
    return new PlacementGroupId(value);
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public int compareTo(PlacementGroupId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
