package io.troupe.runtime.placement;

import io.troupe.runtime.resources.Allocation;
import java.util.Objects;

/** A node agent's answer to prepare/commit/cancel/return. Each case says what the head does next. */
@com.fasterxml.jackson.annotation.JsonTypeInfo(use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.NAME,
    property = "type")
@com.fasterxml.jackson.annotation.JsonSubTypes({
  @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = BundleReply.Ok.class, name = "OK"),
  @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = BundleReply.Rejected.class, name = "REJECTED"),
})
public sealed interface BundleReply {
  /**
   * Done. For prepare and commit, {@code allocation} is what the node holds for the bundle, GPU
   * instance ids included; the head mirrors it to admit actors. For cancel/return it is
   * {@link Allocation#NONE}.
   */
  record Ok(Allocation allocation) implements BundleReply {
    public Ok {
      Objects.requireNonNull(allocation, "allocation");
    }
  }

  /**
   * Refused (no room, stale attempt, not prepared); {@code reason} says why. A refused prepare
   * aborts the attempt (cancel the others, back off, retry); a refused commit loses that bundle
   * (it is re-reserved as in RESCHEDULING).
   */
  record Rejected(String reason) implements BundleReply {}
}
