package io.troupe.serve.http;

import io.troupe.runtime.api.NodeInfo;
import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.cluster.ClassApplicationResolver;
import io.troupe.serve.cluster.ControllerRestorer;
import io.troupe.serve.cluster.ReplicaDirectory;
import io.troupe.serve.cluster.RoutesPublisher;
import io.troupe.serve.cluster.ServeControllerLoop;
import io.troupe.serve.cluster.TroupeClusterOps;
import io.troupe.serve.config.HttpOptions;
import io.troupe.serve.config.ProxyLocation;
import io.troupe.serve.config.ServeConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Everything serving runs on the head: the controller loop over {@link TroupeClusterOps} (restored
 * from its checkpoint by a {@link ControllerRestorer} when the head restarts), the replica
 * directory, the {@link RoutesPublisher} that makes routing tables and HTTP routes reachable from
 * every node (for {@link io.troupe.serve.api.DeploymentHandle}s and the other nodes' proxies), and
 * the head's HTTP proxy. Every applied config's {@code proxy_location} and {@code http_options} are
 * written to the control service's KV store ({@link ProxySettings#KEY}), where the other nodes'
 * {@link ServeNodeService}s read them ({@code EveryNode}: a proxy on every node; {@code HeadOnly}:
 * only the head's; {@code Disabled}: none) and a restarted head finds them again.
 *
 * <p><b>Threading.</b> {@link #apply} and {@link #deleteAll} may be called from any thread (REST
 * handlers); they hand the work to the controller's thread and wait for it. Proxy start/stop is
 * guarded by this object's lock.
 */
public final class ServeSystem implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ServeSystem.class.getName());
  /** How long a restarted head's controller may take to restore (it waits for the runtime's recovery). */
  static final Duration RESTORE_DEADLINE = Duration.ofMinutes(2);

  private final Troupe troupe;
  private final ReplicaDirectory directory;
  private final TroupeClusterOps ops;
  private final ServeControllerLoop loop;
  private final ClassApplicationResolver resolver;
  private final OptionalInt proxyPortOverride;
  private final io.troupe.serve.cluster.LoadCollector load;
  private volatile HttpProxy proxy;
  private volatile ServeConfig lastConfig;
  private volatile ProxySettings settings;

  public ServeSystem(Troupe troupe, ClassLoader userClasses) {
    this(troupe, userClasses, OptionalInt.empty());
  }

  /** {@code proxyPortOverride}: the head's proxy listens there instead of http_options.port (0: any free port). */
  public ServeSystem(Troupe troupe, ClassLoader userClasses, OptionalInt proxyPortOverride) {
    this.troupe = troupe;
    this.proxyPortOverride = proxyPortOverride;
    this.directory = new ReplicaDirectory(troupe);
    Clock clock = Clock.systemUTC();
    this.ops = new TroupeClusterOps(troupe, directory, clock, Duration.ofMinutes(5), Duration.ofSeconds(1));
    ControllerRestorer restorer = new ControllerRestorer(troupe, ops, clock, new Random(), RESTORE_DEADLINE,
        io.troupe.serve.controller.ServeController.Autoscaling.withLoader(userClasses));
    this.loop = new ServeControllerLoop(() -> {
      var controller = restorer.restoreOrFresh();
      restoreProxy();
      return controller;
    }, Duration.ofMillis(100));
    this.resolver = new ClassApplicationResolver(userClasses);
    new RoutesPublisher(troupe, loop); // replicas' DeploymentHandles and other nodes' proxies find routes through it
    this.load = new io.troupe.serve.cluster.LoadCollector(troupe, loop); // autoscaling load into the controller
  }

  /** A restarted head starts its proxy again with the settings its predecessor published. */
  private void restoreProxy() {
    try {
      Optional<byte[]> bytes = troupe.kvGet(ProxySettings.KEY).get(10, TimeUnit.SECONDS);
      if (bytes.isPresent()) {
        ProxySettings s = ProxySettings.decode(bytes.get());
        synchronized (this) {
          if (settings == null) {
            settings = s;
            ensureProxy(s);
          }
        }
      }
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "cannot restore the serve proxy settings; the next applied config sets them", e);
    }
  }

  /** Applies a config declaratively (apps not in it are deleted); starts the proxy if needed. */
  public void apply(ServeConfig config) {
    ProxySettings next = new ProxySettings(config.proxyLocation(), config.httpOptions());
    synchronized (this) {
      HttpProxy p = proxy;
      if (p != null && config.proxyLocation() != ProxyLocation.Disabled
          && !p.options().equals(headOptions(config.httpOptions()))) {
        throw new ServeException("http_options cannot change while serve runs (proxy on " + p.options().host()
            + ":" + p.options().port() + "); DELETE /api/serve/applications/ and restart the head to change them");
      }
      ensureProxy(next);
      settings = next;
      lastConfig = config;
    }
    try {
      troupe.kvPut(ProxySettings.KEY, next.encode()).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new ServeException("cannot publish the proxy settings to the control service: " + e, e);
    }
    await(loop.submit(c -> {
      c.apply(config, resolver);
      return null;
    }));
  }

  /** Starts the head's proxy unless the location is Disabled; stops it when Disabled. Holds the lock. */
  private void ensureProxy(ProxySettings s) {
    if (s.location() == ProxyLocation.Disabled) {
      HttpProxy p = proxy;
      if (p != null) {
        p.close();
        proxy = null;
      }
    } else if (proxy == null) {
      proxy = HttpProxy.start(loop, directory, troupe, headOptions(s.http()));
    }
  }

  private HttpOptions headOptions(HttpOptions h) {
    return proxyPortOverride.isPresent() ? new HttpOptions(h.host(), proxyPortOverride.getAsInt(), h.requestTimeout())
        : h;
  }

  /** Deletes every application (their replicas drain and stop); the proxies keep running. */
  public void deleteAll() {
    await(loop.submit(c -> {
      c.status().applications().keySet().forEach(c::delete);
      return null;
    }));
  }

  private static void await(java.util.concurrent.CompletableFuture<?> f) {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new ServeException("serve controller failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServeException("interrupted");
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ServeException("serve controller did not answer in 30 s (a restarted head restores its checkpoint "
          + "after the cluster's own recovery; retry shortly)");
    }
  }

  public ServeControllerLoop controller() {
    return loop;
  }

  /** The head's proxy, once a config (or a restored one) started it. */
  public Optional<HttpProxy> proxy() {
    return Optional.ofNullable(proxy);
  }

  public Optional<ServeConfig> lastConfig() {
    return Optional.ofNullable(lastConfig);
  }

  /** The proxy settings in force (applied here, or restored after a head restart). */
  public Optional<ProxySettings> settings() {
    return Optional.ofNullable(settings);
  }

  /**
   * Every running proxy: the head's, and those the other nodes registered, for nodes the control
   * service reports ALIVE (a dead node's stale entry is skipped). Blocking (KV and status reads).
   */
  public List<ProxySettings.NodeProxy> proxies() {
    List<ProxySettings.NodeProxy> out = new ArrayList<>();
    HttpProxy p = proxy;
    if (p != null) {
      out.add(new ProxySettings.NodeProxy(troupe.nodeId().value(), p.options().host(), p.port()));
    }
    try {
      Set<String> alive = new HashSet<>();
      for (NodeInfo n : troupe.status().get(10, TimeUnit.SECONDS).nodes()) {
        if (NodeInfo.ALIVE.equals(n.state())) {
          alive.add(n.nodeId().value());
        }
      }
      for (String key : troupe.kvKeys(ProxySettings.NODE_PREFIX).get(10, TimeUnit.SECONDS)) {
        String node = key.substring(ProxySettings.NODE_PREFIX.length());
        if (!alive.contains(node) || node.equals(troupe.nodeId().value())) {
          continue;
        }
        troupe.kvGet(key).get(10, TimeUnit.SECONDS).flatMap(ProxySettings::decodeNode).ifPresent(out::add);
      }
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "listing the nodes' proxies failed", e);
    }
    return out;
  }

  @Override
  public void close() {
    HttpProxy p = proxy;
    if (p != null) {
      p.close();
    }
    load.close();
    loop.close();
  }
}
