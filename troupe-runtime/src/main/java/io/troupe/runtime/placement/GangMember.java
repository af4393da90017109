package io.troupe.runtime.placement;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.resources.Allocation;

/**
 * One actor of a group as the manager knows it: its bundle, demand and opaque creation arguments
 * (constructor arguments etc., kept as given so a gang restart recreates it identically), plus where
 * it runs now: node, epoch and the allocation out of the bundle (GPU ids). Immutable.
 */
public record GangMember(ActorId actor, int bundleIndex, ResourceSet demand, Object creationArgs, NodeId node,
    long epoch, Allocation allocation) {}
