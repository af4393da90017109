package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorContext;
import java.util.List;

/** Test actor: captures what {@link ActorContext} says inside its constructor. */
public class ContextProbeActor {
  public final String actorId;
  public final int incarnation;
  public final String nodeId;
  public final List<String> gpuIds;
  public final String greeting;

  public ContextProbeActor() {
    this("hello");
  }

  public ContextProbeActor(String greeting) {
    ActorContext ctx = ActorContext.current().orElseThrow(() -> new IllegalStateException("no actor context"));
    this.actorId = ctx.actorId().value();
    this.incarnation = ctx.incarnation();
    this.nodeId = ctx.nodeId().value();
    this.gpuIds = ctx.gpuIds();
    this.greeting = greeting;
  }
}
