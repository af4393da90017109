package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.troupe.runtime.api.Bundle;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.PlacementGroupState;
import io.troupe.runtime.api.PlacementStrategy;
import io.troupe.runtime.protocol.ControlCommand;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A group's last gang restart crosses nodes: the reply that carries it round-trips through the cluster serializer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlacementGroupInfoWireTest {
  @Test
  void aGroupWithItsLastGangRestartRoundTripsThroughCbor() throws Exception {
    ActorSystem system = ActorSystem.create("wire", ConfigFactory.parseResources(getClass().getClassLoader(),
        "troupe.conf").withFallback(ConfigFactory.load()).withValue("pekko.actor.provider",
        com.typesafe.config.ConfigValueFactory.fromAnyRef("local")));
    try {
      PlacementGroupInfo info = new PlacementGroupInfo(PlacementGroupId.of("pg-1"), Optional.of("g"),
          PlacementStrategy.STRICT_SPREAD, PlacementGroupState.CREATED, 1,
          List.of(new PlacementGroupInfo.BundleInfo(0, Bundle.of(Map.of("CPU", 1, "GPU", 1)),
              Optional.of(NodeId.of("node-a")), List.of("0"))), "",
          Optional.of(new PlacementGroupInfo.GangRestart(1, Instant.parse("2026-11-26T16:00:00.123Z"),
              "node n died (lost bundle [1])", List.of(1))));
      ControlCommand.Reply.Group msg = new ControlCommand.Reply.Group(info, null);
      Serialization s = SerializationExtension.get(system);
      byte[] bytes = s.serialize(msg).get();
      Object back = s.deserialize(bytes, s.findSerializerFor(msg).identifier(), s.findSerializerFor(msg)
          .includeManifest() ? org.apache.pekko.serialization.Serializers.manifestFor(s.findSerializerFor(msg), msg)
          : "").get();
      assertThat(back).isEqualTo(msg);
      assertThat(new PlacementGroupInfo(info.id(), info.name(), info.strategy(), info.state(), 0, List.of(), "")
          .lastGangRestart()).isEmpty();
    } finally {
      system.terminate();
    }
  }
}
