package io.troupe.runtime.cluster;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupSpec;
import io.troupe.runtime.api.TroupeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test actor that reports its reservation and creates children and nested groups from inside it. */
public class GroupProbe {
  public GroupProbe() {}

  static ActorContext ctx() {
    return ActorContext.current().orElseThrow();
  }

  /** [group, bundle index, epoch, node, gpu ids...] */
  public List<String> where() {
    List<String> l = new ArrayList<>();
    l.add(ctx().placementGroup().map(PlacementGroupId::value).orElse("-"));
    l.add(Integer.toString(ctx().bundleIndex()));
    l.add(Long.toString(ctx().epoch()));
    l.add(ctx().nodeId().value());
    l.addAll(ctx().gpuIds());
    return l;
  }

  /** Creates a child actor with default options and returns where it runs. */
  public List<String> child() {
    ActorHandle<GroupProbe> c = ctx().troupe().createActor(GroupProbe.class,
        ActorOptions.builder().cpus(0.25).build());
    return c.call(GroupProbe::where).join();
  }

  /** Creates a nested group with one bundle of {@code cpus}; returns "ok:<id>" or "error:<message>". */
  public String nested(Double cpus) {
    try {
      PlacementGroupId id = ctx().troupe().createPlacementGroup(PlacementGroupSpec.builder()
          .bundle(Map.of("CPU", cpus)).build());
      ctx().troupe().waitPlacementGroupReady(id, Duration.ofSeconds(10)).join();
      return "ok:" + id.value();
    } catch (TroupeException e) {
      return "error:" + e.getMessage();
    }
  }

  /** Reports this incarnation as failed (as an actor whose supervised process exited would). */
  public String failSelf(String cause) {
    ctx().troupe().fail(ctx().actorId(), ctx().incarnation(), cause).join();
    return "reported";
  }

  /** Runs {@code sh -c 'echo $CUDA_VISIBLE_DEVICES'} through the actor's process launcher; returns its output. */
  public String childProcessGpus() throws Exception {
    var p = ctx().processes().start(io.troupe.runtime.api.ProcessSpec.of("gpus-" + ctx().actorId().value(),
        List.of("sh", "-c", "echo \"$CUDA_VISIBLE_DEVICES\"")));
    p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
    return String.join("", p.tail(1));
  }
}
