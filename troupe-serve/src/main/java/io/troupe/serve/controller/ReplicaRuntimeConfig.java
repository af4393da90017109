package io.troupe.serve.controller;

/**
 * What a running replica takes in place through its reconfigure hook, without a restart.
 * Immutable.
 *
 * @param userConfig JSON-like value for the user's reconfigure hook; null for none
 * @param maxOngoingRequests how many requests the replica executes at once
 */
public record ReplicaRuntimeConfig(Object userConfig, int maxOngoingRequests) {
}
