package io.troupe.runtime.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ActorSchedulingPolicyTest {
  private static final SchedulingStrategy DEFAULT = new SchedulingStrategy.Default();
  private final ActorSchedulingPolicy policy = new ActorSchedulingPolicy(new SplittableRandom(7));

  static NodeId id(String s) {
    return NodeId.of(s);
  }

  /** A live CPU node with {@code used} of its CPUs taken. */
  static NodeView cpuNode(String id, double cpus, double used) {
    return new NodeView(id(id), true, Map.of(), ResourceSet.of("CPU", cpus),
        ResourceSet.of("CPU", cpus).minus(ResourceSet.of("CPU", used)));
  }

  static NodeView gpuNode(String id, double cpus, double gpus) {
    ResourceSet total = ResourceSet.of("CPU", cpus, "GPU", gpus);
    return new NodeView(id(id), true, Map.of(), total, total);
  }

  static NodeView labelled(String id, Map<String, String> labels) {
    return new NodeView(id(id), true, labels, ResourceSet.of("CPU", 4), ResourceSet.of("CPU", 4));
  }

  static ResourceSet cpu(double c) {
    return ResourceSet.of("CPU", c);
  }

  private Decision schedule(ResourceSet demand, List<NodeView> nodes) {
    return policy.schedule(demand, DEFAULT, nodes, null);
  }

  private static Decision place(String node) {
    return new Decision.Place(id(node));
  }

  @Test
  void packsOntoTheFirstNodeWhileItStaysUnderHalfUsed() {
    List<NodeView> nodes = List.of(cpuNode("b", 4, 0), cpuNode("a", 4, 0));
    assertThat(schedule(cpu(1), nodes)).isEqualTo(place("a"));
    // a would reach 0.5 after one more: the next node under the threshold takes it.
    assertThat(schedule(cpu(1), List.of(cpuNode("a", 4, 1), cpuNode("b", 4, 0)))).isEqualTo(place("b"));
  }

  @Test
  void spreadsToTheLeastUtilisedNodeWhenEveryNodeWouldPassTheThreshold() {
    List<NodeView> nodes = List.of(cpuNode("a", 4, 3), cpuNode("b", 4, 2), cpuNode("c", 4, 2.5));
    assertThat(schedule(cpu(1), nodes)).isEqualTo(place("b"));
  }

  @Test
  void thresholdIsConfigurable() {
    ActorSchedulingPolicy spreadAlways = new ActorSchedulingPolicy(0.0, new SplittableRandom(1));
    List<NodeView> nodes = List.of(cpuNode("a", 4, 1), cpuNode("b", 4, 0));
    assertThat(spreadAlways.schedule(cpu(1), DEFAULT, nodes, null)).isEqualTo(place("b"));
    ActorSchedulingPolicy packAlways = new ActorSchedulingPolicy(1.01, new SplittableRandom(1));
    assertThat(packAlways.schedule(cpu(1), DEFAULT, List.of(cpuNode("a", 4, 3), cpuNode("b", 4, 0)), null))
        .isEqualTo(place("a"));
  }

  @Test
  void thePreferredNodeIsTriedFirst() {
    List<NodeView> nodes = List.of(cpuNode("a", 4, 0), cpuNode("b", 4, 0));
    assertThat(policy.schedule(cpu(1), DEFAULT, nodes, id("b"))).isEqualTo(place("b"));
    // ...but only while it stays under the threshold.
    List<NodeView> busy = List.of(cpuNode("a", 4, 0), cpuNode("b", 4, 2));
    assertThat(policy.schedule(cpu(1), DEFAULT, busy, id("b"))).isEqualTo(place("a"));
  }

  @Test
  void demandsWithoutGpusAvoidGpuNodesWhileOthersFit() {
    NodeView gpu = gpuNode("a-gpu", 16, 4);
    NodeView small = cpuNode("z-cpu", 2, 0);
    assertThat(policy.schedule(cpu(1), DEFAULT, List.of(gpu, small), gpu.nodeId())).isEqualTo(place("z-cpu"));
    // The CPU node would be over the threshold: still preferred over the GPU node (tier first).
    assertThat(policy.schedule(cpu(2), DEFAULT, List.of(gpu, small), null)).isEqualTo(place("z-cpu"));
    // No CPU node has room: the GPU node is used rather than waiting.
    assertThat(policy.schedule(cpu(3), DEFAULT, List.of(gpu, small), null)).isEqualTo(place("a-gpu"));
    assertThat(policy.schedule(ResourceSet.of("CPU", 1, "GPU", 1), DEFAULT, List.of(gpu, small), null))
        .isEqualTo(place("a-gpu"));
  }

  @Test
  void infeasibleWhenNoLiveNodeCouldEverHoldIt() {
    Decision d = schedule(ResourceSet.of("CPU", 1, "GPU", 1), List.of(cpuNode("a", 4, 0), cpuNode("b", 8, 0)));
    assertThat(d).isInstanceOf(Decision.Infeasible.class);
    assertThat(((Decision.Infeasible) d).reason())
        .contains("can ever hold {CPU: 1, GPU: 1}").contains("a={CPU: 4}").contains("b={CPU: 8}");
    Decision none = schedule(cpu(1), List.of());
    assertThat(((Decision.Infeasible) none).reason()).contains("(no live nodes)");
  }

  @Test
  void waitsWhenFeasibleButNothingIsFreeNow() {
    Decision d = schedule(cpu(3), List.of(cpuNode("a", 4, 2), cpuNode("b", 4, 1.5)));
    assertThat(d).isInstanceOf(Decision.Wait.class);
    assertThat(((Decision.Wait) d).reason()).contains("{CPU: 3} available now");
  }

  @Test
  void deadNodesAreIgnored() {
    NodeView dead = new NodeView(id("a"), false, Map.of(), cpu(64), cpu(64));
    assertThat(schedule(cpu(8), List.of(dead, cpuNode("b", 4, 0)))).isInstanceOf(Decision.Infeasible.class);
    assertThat(schedule(cpu(1), List.of(dead, cpuNode("b", 4, 0)))).isEqualTo(place("b"));
  }

  @Test
  void nonWholeGpuDemandsAboveOneAreInfeasible() {
    // A node ledger never grants 1.5 GPUs; placing it would bounce between control and node forever.
    Decision d = schedule(ResourceSet.of("GPU", 1.5), List.of(gpuNode("a", 8, 4)));
    assertThat(d).isInstanceOf(Decision.Infeasible.class);
    assertThat(((Decision.Infeasible) d).reason()).contains("whole number");
    assertThat(schedule(ResourceSet.of("GPU", 2), List.of(gpuNode("a", 8, 4)))).isEqualTo(place("a"));
    assertThat(schedule(ResourceSet.of("GPU", 0.5), List.of(gpuNode("a", 8, 4)))).isEqualTo(place("a"));
  }

  @Test
  void hardNodeAffinity() {
    List<NodeView> nodes = List.of(cpuNode("a", 4, 0), cpuNode("b", 4, 3.5),
        new NodeView(id("dead"), false, Map.of(), cpu(4), cpu(4)));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeAffinity(id("a"), false), nodes, id("b")))
        .isEqualTo(place("a"));
    Decision busy = policy.schedule(cpu(1), new SchedulingStrategy.NodeAffinity(id("b"), false), nodes, null);
    assertThat(busy).isInstanceOf(Decision.Wait.class);
    assertThat(((Decision.Wait) busy).reason()).contains("node b has only {CPU: 0.5} available");
    Decision tooBig = policy.schedule(cpu(5), new SchedulingStrategy.NodeAffinity(id("a"), false), nodes, null);
    assertThat(((Decision.Infeasible) tooBig).reason()).contains("does not fit node a (total {CPU: 4})");
    Decision dead = policy.schedule(cpu(1), new SchedulingStrategy.NodeAffinity(id("dead"), false), nodes, null);
    assertThat(((Decision.Infeasible) dead).reason()).contains("node dead is not alive");
    Decision unknown = policy.schedule(cpu(1), new SchedulingStrategy.NodeAffinity(id("zz"), false), nodes, null);
    assertThat(unknown).isInstanceOf(Decision.Infeasible.class);
  }

  @Test
  void softNodeAffinityFallsBackToTheDefaultPolicy() {
    List<NodeView> nodes = List.of(cpuNode("a", 4, 0), cpuNode("b", 4, 3.5));
    assertThat(policy.schedule(cpu(0.5), new SchedulingStrategy.NodeAffinity(id("b"), true), nodes, null))
        .isEqualTo(place("b"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeAffinity(id("b"), true), nodes, null))
        .isEqualTo(place("a"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeAffinity(id("gone"), true), nodes, null))
        .isEqualTo(place("a"));
    assertThat(policy.schedule(cpu(8), new SchedulingStrategy.NodeAffinity(id("b"), true), nodes, null))
        .isInstanceOf(Decision.Infeasible.class);
  }

  @Test
  void hardLabelSelectorsRestrictTheCandidates() {
    List<NodeView> nodes = List.of(
        labelled("a", Map.of("zone", "us-1", "accel", "a100")),
        labelled("b", Map.of("zone", "us-2", "accel", "h100")),
        labelled("c", Map.of("zone", "eu-1")));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of("zone", "us-2"), Map.of()), nodes, null))
        .isEqualTo(place("b"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of("zone", "eu-1, us-2"), Map.of()), nodes, id("c")))
        .isEqualTo(place("c"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of("accel", "!a100"), Map.of()), nodes, null))
        .isEqualTo(place("b"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of("accel", "!a100"), Map.of()), nodes, id("c")))
        .as("!v matches a node without the label").isEqualTo(place("c"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of("accel", "*"), Map.of()), nodes, id("c")))
        .isEqualTo(place("a"));
    Decision none = policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of("zone", "ap-1"), Map.of()), nodes, null);
    assertThat(((Decision.Infeasible) none).reason()).contains("no live node has labels matching {zone=ap-1}");
    Decision tooBig = policy.schedule(cpu(8), new SchedulingStrategy.NodeLabels(Map.of("zone", "us-1"), Map.of()), nodes, null);
    assertThat(((Decision.Infeasible) tooBig).reason()).contains("with labels {zone=us-1}");
  }

  @Test
  void softLabelSelectorsArePreferredButNotRequired() {
    List<NodeView> nodes = List.of(
        labelled("a", Map.of("zone", "us-1")),
        labelled("b", Map.of("zone", "us-2", "disk", "ssd")),
        new NodeView(id("c"), true, Map.of("zone", "us-2", "disk", "ssd"), cpu(4), cpu(0.5)));
    SchedulingStrategy ssd = new SchedulingStrategy.NodeLabels(Map.of(), Map.of("disk", "ssd"));
    assertThat(policy.schedule(cpu(1), ssd, nodes, id("a"))).isEqualTo(place("b"));
    SchedulingStrategy both = new SchedulingStrategy.NodeLabels(Map.of(), Map.of("disk", "ssd", "zone", "us-1"));
    // b matches 1 of 2, a matches 1 of 2: equal tier, preferred first.
    assertThat(policy.schedule(cpu(1), both, nodes, id("a"))).isEqualTo(place("a"));
    // Nothing matching has room: any node will do.
    SchedulingStrategy nvme = new SchedulingStrategy.NodeLabels(Map.of("zone", "us-2"), Map.of("disk", "ssd"));
    assertThat(policy.schedule(cpu(3.5), nvme, nodes, null)).isEqualTo(place("b"));
    assertThat(policy.schedule(cpu(1), new SchedulingStrategy.NodeLabels(Map.of(), Map.of("disk", "nvme")), nodes, null))
        .isEqualTo(place("a"));
  }
}
