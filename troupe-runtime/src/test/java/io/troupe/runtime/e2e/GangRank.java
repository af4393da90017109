package io.troupe.runtime.e2e;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.Troupe;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Test actor for gang restarts: one rank of a gang. Reports its epoch and node, holds a counter,
 * and can leave behind an "old-epoch caller": a thread that keeps the context of this incarnation
 * after it is stopped, so a later incarnation in the same process can make a call as the old epoch.
 */
public class GangRank {
  /** Requests to the old-epoch caller of this JVM: a target actor id and where to put the outcome. */
  private record Request(String target, CompletableFuture<String> outcome) {}

  private static final BlockingQueue<Request> OLD_EPOCH_REQUESTS = new LinkedBlockingQueue<>();

  private int value;

  public GangRank() {}

  static ActorContext ctx() {
    return ActorContext.current().orElseThrow();
  }

  /** [epoch, node, bundle index] */
  public List<String> where() {
    return List.of(Long.toString(ctx().epoch()), ctx().nodeId().value(), Integer.toString(ctx().bundleIndex()));
  }

  public long epoch() {
    return ctx().epoch();
  }

  public int add(Integer n) {
    value += n;
    return value;
  }

  /** Calls {@code target}'s epoch() as this incarnation; "ok:<epoch>" or "refused:<exception class>". */
  public String callPeer(String target) {
    return outcome(ctx().troupe(), target);
  }

  /**
   * Starts a daemon thread that inherits this incarnation's context (group and epoch) and serves
   * {@link #callFromOldEpoch} requests as that incarnation, also after it is stopped.
   */
  public String armOldEpochCaller() {
    Troupe troupe = ctx().troupe();
    long epoch = ctx().epoch();
    Thread t = new Thread(() -> {
      while (true) {
        try {
          Request r = OLD_EPOCH_REQUESTS.take();
          r.outcome().complete(outcome(troupe, r.target()));
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "old-epoch-caller-" + epoch);
    t.setDaemon(true);
    t.start();
    return "armed at epoch " + epoch;
  }

  /** Has the old-epoch caller of this JVM (if any) call {@code target}; "no old-epoch caller" if none answers. */
  public String callFromOldEpoch(String target) throws InterruptedException, ExecutionException {
    Request r = new Request(target, new CompletableFuture<>());
    OLD_EPOCH_REQUESTS.add(r);
    try {
      return r.outcome().get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      OLD_EPOCH_REQUESTS.remove(r);
      return "no old-epoch caller";
    }
  }

  private static String outcome(Troupe troupe, String target) {
    try {
      long e = troupe.handle(new ActorId(target), GangRank.class).<Long>call("epoch").get(15, TimeUnit.SECONDS);
      return "ok:" + e;
    } catch (ExecutionException e) {
      return "refused:" + e.getCause().getClass().getSimpleName() + ":" + e.getCause().getMessage();
    } catch (InterruptedException | TimeoutException e) {
      return "refused:" + e.getClass().getSimpleName();
    }
  }
}
