package io.troupe.serve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.serve.api.DeploymentId;
import io.troupe.serve.api.ReplicaId;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LoadSamplerTest {
  private static final long MS = 1_000_000L;
  private final DeploymentId d = new DeploymentId("app", "d");
  private final ReplicaId r = new ReplicaId(d, "r1");
  private final LoadSampler sampler = new LoadSampler("n1");

  @Test
  void reportsTheMeansOfEachReporterOncePerInterval() {
    Map<DeploymentId, LoadSampler.Known> known = Map.of(d, new LoadSampler.Known(300, true));
    assertThat(sampler.sample(0, known, Map.of(d, 2), Map.of(r, 1))).isPresent(); // first: at once
    assertThat(sampler.sample(100 * MS, known, Map.of(d, 4), Map.of(r, 3))).isEmpty();
    assertThat(sampler.sample(200 * MS, known, Map.of(d, 6), Map.of(r, 5))).isEmpty();
    LoadReport rep = sampler.sample(300 * MS, known, Map.of(d, 8), Map.of(r, 7)).orElseThrow();
    assertThat(rep.entries()).containsExactlyInAnyOrder(new LoadReport.Entry("app#d", "caller:n1", 6),
        new LoadReport.Entry("app#d", "replica:app#d#r1", 5));
  }

  @Test
  void aRequestWaitingForADeploymentWithoutReplicasIsReportedAtOnce() {
    Map<DeploymentId, LoadSampler.Known> none = Map.of(d, new LoadSampler.Known(10_000, false));
    assertThat(sampler.sample(0, none, Map.of(d, 0), Map.of())).isPresent();
    assertThat(sampler.sample(60 * MS, none, Map.of(d, 0), Map.of())).isEmpty(); // nothing waits: the interval
    LoadReport rep = sampler.sample(120 * MS, none, Map.of(d, 1), Map.of()).orElseThrow();
    assertThat(rep.entries()).containsExactly(new LoadReport.Entry("app#d", "caller:n1", 0.5));
  }

  @Test
  void deploymentsThatDoNotAutoscaleAreNotReported() {
    assertThat(sampler.sample(0, Map.of(), Map.of(d, 3), Map.of(r, 1))).isEmpty();
    assertThat(LoadSampler.parseDeployment("app#d")).contains(d);
    assertThat(LoadSampler.parseDeployment("nohash")).isEmpty();
  }
}
