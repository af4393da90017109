package io.troupe.serve.http;

import io.troupe.runtime.api.Troupe;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.cluster.ClassApplicationResolver;
import io.troupe.serve.cluster.ReplicaDirectory;
import io.troupe.serve.cluster.RoutesPublisher;
import io.troupe.serve.cluster.ServeControllerLoop;
import io.troupe.serve.cluster.TroupeClusterOps;
import io.troupe.serve.config.ProxyLocation;
import io.troupe.serve.config.ServeConfig;
import io.troupe.serve.controller.ServeController;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Everything serving runs on the head: the controller loop over {@link TroupeClusterOps}, the
 * replica directory, the {@link RoutesPublisher} that makes routing tables reachable from replicas
 * (for {@link io.troupe.serve.api.DeploymentHandle}s), and the HTTP proxy (started by the first applied config that asks for one,
 * with its {@code http_options}). Only {@code HeadOnly} placement is implemented: a config with
 * {@code EveryNode} also gets one proxy, on the head.
 *
 * <p><b>Threading.</b> {@link #apply} and {@link #deleteAll} may be called from any thread (REST
 * handlers); they hand the work to the controller's thread and wait for it. Proxy start is
 * guarded by this object's lock.
 */
public final class ServeSystem implements AutoCloseable {
  private final Troupe troupe;
  private final ReplicaDirectory directory;
  private final TroupeClusterOps ops;
  private final ServeControllerLoop loop;
  private final ClassApplicationResolver resolver;
  private volatile HttpProxy proxy;
  private volatile ServeConfig lastConfig;

  public ServeSystem(Troupe troupe, ClassLoader userClasses) {
    this.troupe = troupe;
    this.directory = new ReplicaDirectory(troupe);
    Clock clock = Clock.systemUTC();
    this.ops = new TroupeClusterOps(troupe, directory, clock, Duration.ofMinutes(5), Duration.ofSeconds(1));
    this.loop = new ServeControllerLoop(new ServeController(ops, clock, new Random()), Duration.ofMillis(100));
    this.resolver = new ClassApplicationResolver(userClasses);
    new RoutesPublisher(troupe, loop); // replicas' DeploymentHandles find routing tables through it
  }

  /** Applies a config declaratively (apps not in it are deleted); starts the proxy if needed. */
  public void apply(ServeConfig config) {
    synchronized (this) {
      if (config.proxyLocation() != ProxyLocation.Disabled) {
        HttpProxy p = proxy;
        if (p == null) {
          proxy = HttpProxy.start(loop, directory, troupe.nodeId(), config.httpOptions());
        } else if (!p.options().equals(config.httpOptions())) {
          throw new ServeException("http_options cannot change while serve runs (proxy on " + p.options().host()
              + ":" + p.options().port() + "); DELETE /api/serve/applications/ and restart the head to change them");
        }
      }
      lastConfig = config;
    }
    await(loop.submit(c -> {
      c.apply(config, resolver);
      return null;
    }));
  }

  /** Deletes every application (their replicas drain and stop); the proxy keeps running. */
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
      throw new ServeException("serve controller did not answer in 30 s");
    }
  }

  public ServeControllerLoop controller() {
    return loop;
  }

  /** The proxy, once a config started it. */
  public Optional<HttpProxy> proxy() {
    return Optional.ofNullable(proxy);
  }

  public Optional<ServeConfig> lastConfig() {
    return Optional.ofNullable(lastConfig);
  }

  @Override
  public void close() {
    HttpProxy p = proxy;
    if (p != null) {
      p.close();
    }
    loop.close();
  }
}
