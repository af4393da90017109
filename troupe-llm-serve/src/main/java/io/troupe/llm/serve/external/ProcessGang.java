package io.troupe.llm.serve.external;

import io.troupe.runtime.api.ActorContext;
import io.troupe.runtime.api.ActorHandle;
import io.troupe.runtime.api.ActorOptions;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.api.SchedulingStrategy;
import io.troupe.runtime.api.Troupe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external engine's processes, run by {@link EngineProcessActor}s in the bundles of the replica's own placement
 * group (a gang): one member per bundle, each holding its bundle's GPUs; per the {@link GangLayout} the member of a
 * node's first bundle (or each member, {@code per_rank}) starts a process with the preset's argv, the slot's
 * environment and {@code CUDA_VISIBLE_DEVICES} = exactly the GPU ids of that process's bundles. Followers start
 * before the leader; the gang is ready when the leader answers {@code ready_path} with 200.
 *
 * <p>Failure: a process that exits makes its member report itself failed, and the runtime's gang machinery restarts
 * the whole group (this replica included) at the next epoch: every member stopped (its process with it), new ports, a
 * new rendezvous. The replica of the new epoch adopts the recreated members by name. A failed start (the command is
 * missing, a process exits, the leader is not ready in time) throws with the exit code and the last lines of output.
 * Start-up progress and each process's log are written to the KV store under {@code llm/engines/<model>/} (see
 * {@link #statusKey}).
 *
 * <p>Threading: {@link #launch} blocks (it runs in the replica's constructor); the result is thread-safe.
 */
public final class ProcessGang implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessGang.class);
  private static final Duration CALL = Duration.ofSeconds(30);

  private final Troupe troupe;
  private final PlacementGroupId group;
  private final long epoch;
  private final List<ActorHandle<EngineProcessActor>> members;
  private final List<Integer> processMembers; // member index of each process, leader first
  private final List<ProcessSlot> slots;
  private final Upstream upstream;
  private final String modelId;
  private volatile boolean closed;

  private ProcessGang(Troupe troupe, PlacementGroupId group, long epoch, List<ActorHandle<EngineProcessActor>> members,
      List<Integer> processMembers, List<ProcessSlot> slots, Upstream upstream, String modelId) {
    this.troupe = troupe;
    this.group = group;
    this.epoch = epoch;
    this.members = members;
    this.processMembers = processMembers;
    this.slots = slots;
    this.upstream = upstream;
    this.modelId = modelId;
  }

  /** KV key of a model's start-up status (JSON: epoch, phase, message, processes). */
  public static String statusKey(String modelId) {
    return "llm/engines/" + modelId + "/status";
  }

  /** What one model's gang needs to know. */
  public record Spec(String modelId, String modelSource, int tp, int pp, EngineSpec engine, Map<String, Double> perRank) {}

  /** Launches (or, after a gang restart, re-launches) the gang of the replica this code runs in; blocks until ready. */
  public static ProcessGang launch(Spec spec) {
    ActorContext ctx = ActorContext.current().orElseThrow(() -> new IllegalStateException(
        "engine: " + spec.engine().engine() + " needs a cluster: LlmServer must run as a replica"));
    Troupe troupe = ctx.troupe();
    PlacementGroupId group = ctx.placementGroup().orElseThrow(() -> new IllegalStateException("engine: "
        + spec.engine().engine() + " runs in the replica's placement group, but this replica has none; deploy the "
        + "model with LlmApps (it reserves one bundle per rank) and keep placement_group_bundles unset"));
    long epoch = ctx.epoch();
    EngineSpec e = spec.engine();
    int world = e.worldSize(spec.tp(), spec.pp());
    Duration ready = Duration.ofSeconds(e.readyTimeoutS());
    long deadline = System.nanoTime() + ready.toNanos();
    StatusWriter status = new StatusWriter(troupe, statusKey(spec.modelId()), epoch);
    PlacementGroupInfo info = await(troupe.placementGroup(group), CALL, "reading placement group " + group)
        .orElseThrow(() -> new IllegalStateException("the replica's placement group " + group + " is gone"));
    if (info.bundles().size() < world) {
      throw new IllegalStateException("model '" + spec.modelId() + "' needs " + world + " bundles (tensor_parallel_size "
          + spec.tp() + " x pipeline_parallel_size " + spec.pp() + " x data_parallel_size " + e.dataParallelSize()
          + ", one per rank) but the replica's placement group has " + info.bundles().size()
          + "; leave placement_group_bundles unset (LlmApps derives them) or give it " + world + " bundles");
    }
    status.write("starting", "placing " + world + " gang member(s) in placement group " + group, List.of());
    List<ActorHandle<EngineProcessActor>> members = new ArrayList<>();
    for (int i = 0; i < world; i++) {
      String name = "llm-engine/" + group.value() + "/" + i;
      Optional<ActorHandle<EngineProcessActor>> existing = troupe.getActor(name, EngineProcessActor.class)
          .filter(ProcessGang::isLive);
      if (existing.isPresent()) {
        members.add(existing.get());
        continue;
      }
      members.add(troupe.createActor(EngineProcessActor.class, ActorOptions.builder().name(name)
          .resources(ResourceSet.of(spec.perRank())).maxConcurrency(8).strategy(SchedulingStrategy.inGroup(group, i))
          .build()));
    }
    List<EngineProcessActor.Where> where = new ArrayList<>();
    for (int i = 0; i < world; i++) {
      ActorHandle<EngineProcessActor> m = members.get(i);
      status.write("starting", "waiting for gang member " + i + " (bundle " + i + ") to be alive", List.of());
      await(troupe.waitAlive(m.id(), ready), ready.plusSeconds(5), "starting gang member " + i);
      EngineProcessActor.Where w = await(m.call(EngineProcessActor::where), CALL, "asking gang member " + i);
      while (w.epoch() < epoch) { // an adopted member may answer from the old epoch while it is recreated
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("gang member " + i + " is still at epoch " + w.epoch() + "; the replica runs "
              + "at epoch " + epoch);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the runtime has no epoch event to wait on
        w = await(m.call(EngineProcessActor::where), CALL, "asking gang member " + i);
      }
      where.add(w);
    }
    Map<String, String> hosts = new HashMap<>();
    for (NodeInfo n : await(troupe.status(), CALL, "reading the cluster status").nodes()) {
      String a = n.address();
      hosts.put(n.nodeId().value(), a.substring(0, a.lastIndexOf(':')));
    }
    List<GangLayout.BundleAt> bundles = new ArrayList<>();
    for (EngineProcessActor.Where w : where) {
      bundles.add(new GangLayout.BundleAt(w.bundleIndex(), w.nodeId(), hosts.getOrDefault(w.nodeId(), "127.0.0.1"),
          w.gpuIds()));
    }
    List<GangLayout.Planned> plan = GangLayout.plan(bundles, e.launch());
    int[] ports = new int[plan.size()];
    List<Integer> processMembers = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      int member = plan.get(i).launcherBundle();
      processMembers.add(member);
      ports[i] = await(members.get(member).call(EngineProcessActor::freePort), CALL, "picking a port");
    }
    int masterPort;
    do {
      masterPort = await(members.get(processMembers.get(0)).call(EngineProcessActor::freePort), CALL, "picking a port");
    } while (masterPort == ports[0]);
    List<ProcessSlot> slots = GangLayout.slots(plan, ports, masterPort, spec.modelSource(), spec.modelId(), epoch,
        e.engine().equals("llama_cpp"));
    // Followers first (a llama.cpp leader connects to its rpc-servers at load), the leader last.
    for (int i = plan.size() - 1; i >= 0; i--) {
      ProcessSlot s = slots.get(i);
      String name = "llm-" + spec.modelId() + "-e" + epoch + "-node" + s.nodeRank() + "-rank" + s.rank();
      EngineProcessActor.Launch l = new EngineProcessActor.Launch(name, EnginePresets.argv(e, spec.tp(), spec.pp(), s),
          EnginePresets.environment(e, s), e.gracefulShutdownTimeoutS());
      ActorHandle<EngineProcessActor> m = members.get(processMembers.get(i));
      status.write("starting", "starting process " + name + " on node " + plan.get(i).node(), List.of());
      await(m.call(EngineProcessActor::start, l), CALL, "starting " + name + " on node " + plan.get(i).node());
    }
    ProcessSlot leader = slots.get(0);
    Upstream upstream = new Upstream(leader.host(), leader.port(), Duration.ofSeconds(600));
    ProcessGang gang = new ProcessGang(troupe, group, epoch, members, processMembers, slots, upstream, spec.modelId());
    long t0 = System.nanoTime();
    while (true) {
      gang.failedProcess().ifPresent(f -> {
        status.write("failed", f, gang.logs());
        throw new IllegalStateException("model '" + spec.modelId() + "' failed to start: " + f);
      });
      int code = upstream.probe(e.readyPath(), Duration.ofSeconds(2));
      if (code == 200) {
        break;
      }
      long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      if (System.nanoTime() > deadline) {
        String msg = "the leader " + upstream.base() + " did not answer GET " + e.readyPath() + " with 200 within "
            + ready.toSeconds() + " s (ready_timeout_s; last answer: " + (code < 0 ? "none" : code) + "); its last output:\n"
            + String.join("\n", gang.leaderState().tail());
        status.write("failed", msg, gang.logs());
        throw new IllegalStateException("model '" + spec.modelId() + "' failed to start: " + msg);
      }
      status.write("starting", "waiting for the leader (node rank 0 on node " + plan.get(0).node() + ") to answer GET "
          + upstream.base() + e.readyPath() + ", " + waited + " s", gang.logs());
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
    status.write("ready", "serving at " + upstream.base() + " (epoch " + epoch + ")", gang.logs());
    LOG.info("model {} is served by {} process(es) at epoch {}, leader {}", spec.modelId(), plan.size(), epoch,
        upstream.base());
    return gang;
  }

  public Upstream upstream() {
    return upstream;
  }

  public long epoch() {
    return epoch;
  }

  public List<ProcessSlot> slots() {
    return slots;
  }

  /** The first process found exited, described with its exit code and last lines; empty while all run. */
  public Optional<String> failedProcess() {
    for (int i = 0; i < processMembers.size(); i++) {
      EngineProcessActor.State s;
      try {
        s = members.get(processMembers.get(i)).call(EngineProcessActor::state).get(CALL.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception ex) {
        return Optional.of("gang member of node rank " + slots.get(i).nodeRank() + " is lost: " + rootMessage(ex));
      }
      if (s.started() && !s.alive()) {
        return Optional.of("process of node rank " + slots.get(i).nodeRank() + " rank " + slots.get(i).rank()
            + " exited with code " + s.exitCode() + "; its last output:\n" + String.join("\n", s.tail()));
      }
    }
    return Optional.empty();
  }

  private EngineProcessActor.State leaderState() {
    try {
      return members.get(processMembers.get(0)).call(EngineProcessActor::state).get(CALL.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception ex) {
      return new EngineProcessActor.State(false, false, -1, List.of(), "");
    }
  }

  /** For each process: node rank, rank, node, log file. */
  public List<Map<String, Object>> logs() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < processMembers.size(); i++) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("node_rank", slots.get(i).nodeRank());
      m.put("rank", slots.get(i).rank());
      m.put("host", slots.get(i).host());
      m.put("port", slots.get(i).port());
      m.put("gpu_ids", String.join(",", slots.get(i).gpuIds()));
      try {
        EngineProcessActor.State s = members.get(processMembers.get(i)).call(EngineProcessActor::state)
            .get(5, TimeUnit.SECONDS);
        m.put("alive", s.alive());
        m.put("exit_code", s.exitCode());
        m.put("log_file", s.logFile());
        m.put("tail", s.tail());
      } catch (Exception ex) {
        m.put("alive", false);
        m.put("error", rootMessage(ex));
      }
      out.add(m);
    }
    return out;
  }

  /** The last {@code lines} lines of the output of process {@code index} (0 = the leader). */
  public List<String> tail(int index, int lines) {
    return await(members.get(processMembers.get(index)).call(EngineProcessActor::tail, lines), CALL, "reading output");
  }

  /** Throws when a process of this epoch exited (the gang is about to restart). */
  public void checkHealth() {
    failedProcess().ifPresent(f -> {
      throw new IllegalStateException(f);
    });
  }

  /**
   * Stops the members unless a gang restart moved the group past this epoch (then the runtime stopped them and
   * recreates them for the next replica, which adopts them). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Optional<PlacementGroupInfo> info = troupe.placementGroup(group).get(5, TimeUnit.SECONDS);
      if (info.isPresent() && info.get().epoch() > epoch) {
        return;
      }
    } catch (Exception ex) {
      LOG.warn("cannot read group {} to decide whether to stop the engine's members; leaving them: {}", group, ex.toString());
      return;
    }
    List<CompletableFuture<Void>> kills = new ArrayList<>();
    for (ActorHandle<EngineProcessActor> m : members) {
      kills.add(troupe.kill(m.id()));
    }
    for (CompletableFuture<Void> k : kills) {
      try {
        k.get(60, TimeUnit.SECONDS);
      } catch (Exception ex) {
        LOG.debug("stopping a gang member: {}", ex.toString());
      }
    }
  }

  private static boolean isLive(ActorHandle<EngineProcessActor> h) {
    try {
      return h.info().get(10, TimeUnit.SECONDS).state() != ActorState.DEAD;
    } catch (Exception e) {
      return false;
    }
  }

  static String rootMessage(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  static <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException ex) {
      throw new IllegalStateException(what + " failed: " + rootMessage(ex), ex.getCause());
    } catch (TimeoutException ex) {
      throw new IllegalStateException(what + " did not finish within " + timeout);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what);
    }
  }

  /** Writes the start-up status to the KV store (best effort: the status is for people, not for the gang). */
  private record StatusWriter(Troupe troupe, String key, long epoch) {
    void write(String phase, String message, List<Map<String, Object>> processes) {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("epoch", epoch);
      m.put("phase", phase);
      m.put("message", message);
      m.put("at", java.time.Instant.now().toString());
      m.put("processes", processes);
      try {
        byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(m);
        troupe.kvPut(key, json).get(5, TimeUnit.SECONDS);
      } catch (Exception ex) {
        LOG.debug("could not write {}: {}", key, ex.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "process gang of model '" + modelId + "' at epoch " + epoch + ", leader " + upstream.base();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
