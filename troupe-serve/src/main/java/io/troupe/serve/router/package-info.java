/**
 * Caller-side request routing (Ray Serve's {@code request_router/}): pure {@link
 * io.troupe.serve.router.RoutingPolicy} functions rank candidate replicas; {@link
 * io.troupe.serve.router.RequestRouter} is the machinery around them (FIFO queue, queue-length
 * probes and cache, back-off, dead-replica removal, max_queued_requests). Internal to the serving layer.
 */
package io.troupe.serve.router;
