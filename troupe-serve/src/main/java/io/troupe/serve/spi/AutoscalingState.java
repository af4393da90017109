package io.troupe.serve.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * A policy's memory between decisions: since when it has wanted more (or fewer) replicas than the
 * current target. Immutable; the controller keeps it per deployment and hands it back next time.
 */
public record AutoscalingState(Optional<Instant> upscaleWantedSince, Optional<Instant> downscaleWantedSince) {
  public static final AutoscalingState INITIAL = new AutoscalingState(Optional.empty(), Optional.empty());

  public AutoscalingState {
    upscaleWantedSince = upscaleWantedSince == null ? Optional.empty() : upscaleWantedSince;
    downscaleWantedSince = downscaleWantedSince == null ? Optional.empty() : downscaleWantedSince;
  }
}
