package io.troupe.serve.http;

import io.troupe.runtime.api.Troupe;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serving on a node that is not the head: a {@link ProxyAgent} polled every {@link #POLL} against
 * the proxy settings the head writes into the control service's KV store ({@link ProxySettings#KEY});
 * its proxy gets routes from the node's cached copy of the routes actor
 * ({@link HttpProxy#startCached}) and registers its address under
 * {@link ProxySettings#NODE_PREFIX}{@code <node-id>}; and the node's autoscaling {@link
 * io.troupe.serve.cluster.LoadReporter}. Closed with the node.
 */
public final class ServeNodeService implements AutoCloseable {
  static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration KV_TIMEOUT = Duration.ofSeconds(3);

  private final ProxyAgent agent;
  private final ScheduledExecutorService timer;
  private final io.troupe.serve.cluster.LoadReporter load;

  public ServeNodeService(Troupe troupe, OptionalInt portOverride) {
    String key = ProxySettings.NODE_PREFIX + troupe.nodeId().value();
    this.agent = new ProxyAgent(
        () -> troupe.kvGet(ProxySettings.KEY).get(KV_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .map(ProxySettings::decode),
        options -> {
          HttpProxy p = HttpProxy.startCached(troupe, options, POLL);
          return new ProxyAgent.Running() {
            @Override
            public int port() {
              return p.port();
            }

            @Override
            public void close() {
              p.close();
            }
          };
        },
        new ProxyAgent.Registry() {
          @Override
          public boolean register(String host, int port) {
            try {
              troupe.kvPut(key, ProxySettings.encode(new ProxySettings.NodeProxy(troupe.nodeId().value(), host, port)))
                  .get(KV_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
              return true;
            } catch (Exception e) {
              return false;
            }
          }

          @Override
          public void unregister() {
            troupe.kvDelete(key);
          }
        },
        portOverride);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "serve-node-agent");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(agent::step, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    this.load = io.troupe.serve.cluster.LoadReporter.toHead(troupe); // this node's callers' and replicas' load
  }

  /** This node's proxy port, once one runs. */
  public OptionalInt proxyPort() {
    return agent.port();
  }

  public Optional<String> lastError() {
    return agent.lastError();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    load.close();
    agent.close();
  }

}
