package io.troupe.runtime.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the control service knows about one actor (the REST API's actor shape). */
public record ActorInfo(
    @JsonProperty("actor_id") ActorId actorId,
    @JsonProperty("class_name") String className,
    @JsonProperty("name") String name,
    @JsonProperty("state") ActorState state,
    @JsonProperty("node_id") NodeId nodeId,
    @JsonProperty("num_restarts") int numRestarts,
    @JsonProperty("max_restarts") int maxRestarts,
    @JsonProperty("resources") ResourceSet resources,
    @JsonProperty("death_cause") String deathCause,
    @JsonProperty("pending_reason") String pendingReason) {}
