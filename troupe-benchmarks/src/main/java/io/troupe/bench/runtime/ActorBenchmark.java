package io.troupe.bench.runtime;

import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.LocalCluster;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.cluster.NodeProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Actor benchmarks on an embedded 3-node cluster (real cluster transport over loopback):
 * actor creation throughput, and call round trip on the same node and across nodes, beside a bare
 * Pekko ask round trip between the same two nodes (the transport's own floor, measured in the
 * same run). Usage: {@code ActorBenchmark [actors-per-round=1000] [rounds=5] [calls=2000]}.
 */
public final class ActorBenchmark {
  private ActorBenchmark() {}

  /** Echo message for the bare-Pekko baseline (in-JVM test of the transport; Java-serialized). */
  public record Echo(int value, ActorRef<Echo> replyTo) implements io.troupe.runtime.protocol.CborMessage {}

  public static void main(String[] args) throws Exception {
    int actors = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    System.out.printf("Troupe actor benchmark: %d actors x %d rounds, %d calls; %d CPUs, Java %s%n",
        actors, rounds, calls, Runtime.getRuntime().availableProcessors(), Runtime.version());
    try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().workers(2).cpusPerNode(10_000)
        .dashboard(false).failureDetection(Duration.ofSeconds(30)).build())) {
      Troupe troupe = cluster.troupe();
      double[] rates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        List<ActorHandle<BenchActor>> hs = new ArrayList<>(actors);
        List<CompletableFuture<Object>> ready = new ArrayList<>(actors);
        for (int i = 0; i < actors; i++) {
          ActorHandle<BenchActor> h = troupe.createActor(BenchActor.class, ActorOptions.builder().cpus(1).build());
          hs.add(h);
          ready.add(h.call("ping", i));
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - t0) / 1e9;
        rates[r] = actors / secs;
        System.out.printf("  round %d: %d actors created and answering in %.2f s = %.0f actors/s%n",
            r + 1, actors, secs, rates[r]);
        List<CompletableFuture<Void>> kills = new ArrayList<>();
        for (ActorHandle<BenchActor> h : hs) {
          kills.add(troupe.kill(h.id()));
        }
        CompletableFuture.allOf(kills.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
      }
      System.out.printf("actor creation: median %.0f actors/s (Ray many_actors: ~550/s)%n", Stats.median(rates));

      ActorHandle<BenchActor> local = troupe.createActor(BenchActor.class, ActorOptions.builder().cpus(1)
          .strategy(SchedulingStrategy.nodeAffinity(cluster.head().nodeId(), false)).build());
      ActorHandle<BenchActor> remote = troupe.createActor(BenchActor.class, ActorOptions.builder().cpus(1)
          .strategy(SchedulingStrategy.nodeAffinity(cluster.worker(0).nodeId(), false)).build());
      double[] same = roundTrips(calls, i -> local.call("ping", i));
      double[] cross = roundTrips(calls, i -> remote.call("ping", i));

      NodeProcess head = (NodeProcess) cluster.head();
      NodeProcess worker = (NodeProcess) cluster.worker(0);
      ActorRef<Echo> echo = worker.system().systemActorOf(Behaviors.receive(Echo.class)
          .onMessage(Echo.class, m -> {
            m.replyTo().tell(new Echo(m.value(), null));
            return Behaviors.same();
          }).build(), "bench-echo", Props.empty());
      ActorRef<Echo> echoFromHead = head.system().classicSystem().provider()
          .resolveActorRef(echo.path().toStringWithAddress(worker.system().address())) instanceof org.apache.pekko.actor.ActorRef c
          ? org.apache.pekko.actor.typed.javadsl.Adapter.toTyped(c) : null;
      double[] pekko = roundTrips(calls, i -> AskPattern.<Echo, Echo>ask(echoFromHead, rt -> new Echo(i, rt),
          Duration.ofSeconds(10), head.system().scheduler()));
      report("same-node call", same);
      report("cross-node call", cross);
      report("bare Pekko ask, cross-node (floor)", pekko);
      System.out.printf("cross-node call / bare Pekko ask (p50): %.2fx%n", Stats.median(cross) / Stats.median(pekko));
    }
  }

  interface Call {
    CompletionStage<?> run(int i);
  }

  static double[] roundTrips(int n, Call call) throws Exception {
    for (int i = 0; i < Math.min(500, n); i++) {
      call.run(i).toCompletableFuture().get(10, TimeUnit.SECONDS); // warm-up
    }
    double[] micros = new double[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      call.run(i).toCompletableFuture().get(10, TimeUnit.SECONDS);
      micros[i] = (System.nanoTime() - t) / 1e3;
    }
    return micros;
  }

  static void report(String what, double[] micros) {
    System.out.printf("%s round trip: p50 %.0f us, p99 %.0f us%n", what, Stats.median(micros),
        Stats.percentile(micros, 99));
  }
}
