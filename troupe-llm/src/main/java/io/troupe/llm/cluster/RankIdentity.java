package io.troupe.llm.cluster;

import io.troupe.llm.spi.RankSpec;
import java.io.Serializable;
import java.util.List;

/**
 * Who and where a started rank is — the LeaderWorkerSet-style identity a rank gets from its reservation.
 *
 * @param spec        tp/pp coordinates and the group epoch (taken from the rank's {@code ActorContext})
 * @param index       linear rank, {@code ppRank * tpSize + tpRank}; also the bundle index it was placed in
 * @param worldSize   {@code tpSize * ppSize}
 * @param actorName   the rank actor's cluster-wide name; peers find each other by it
 * @param leaderName  the actor name of rank 0
 * @param actorId     the rank actor's id
 * @param nodeId      the node it runs on
 * @param group       the placement group it runs in (empty outside one)
 * @param bundleIndex its bundle in that group (-1 outside one)
 * @param deviceIds   GPU instance ids it holds ({@code ActorContext.gpuIds()}); empty without GPUs
 * @param kvBlocks    KV blocks of its worker (the same on every rank)
 * @param kernel      the kernel implementation its worker uses
 */
public record RankIdentity(RankSpec spec, int index, int worldSize, String actorName, String leaderName,
    String actorId, String nodeId, String group, int bundleIndex, List<String> deviceIds, int kvBlocks,
    String kernel) implements Serializable {
  public RankIdentity {
    deviceIds = List.copyOf(deviceIds);
  }
}
