package io.troupe.serve.api;

/**
 * A request was refused at the caller because {@code max_queued_requests} requests of its
 * deployment were already waiting for a replica. Nothing was sent; the HTTP proxy answers 503 and a
 * handle call fails with this. Retrying later (with back-off) is the right reaction.
 */
public final class BackPressureException extends ServeException {
  private final String deployment;
  private final int queued;
  private final int maxQueued;

  public BackPressureException(String deployment, int queued, int maxQueued) {
    super("request to deployment '" + deployment + "' dropped: " + queued
        + " requests are already queued, which is max_queued_requests=" + maxQueued);
    this.deployment = deployment;
    this.queued = queued;
    this.maxQueued = maxQueued;
  }

  public String deployment() {
    return deployment;
  }

  public int queued() {
    return queued;
  }

  public int maxQueued() {
    return maxQueued;
  }
}
