package io.troupe.serve.http;

import io.troupe.serve.config.HttpOptions;
import io.troupe.serve.config.ProxyLocation;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Keeps one node's HTTP proxy in line with the proxy settings the head publishes (Ray Serve starts
 * a proxy actor per node; here each node runs this agent and polls): with {@code EveryNode} it runs
 * a proxy with the settings' {@code http_options} (port replaced by the node's override when set),
 * otherwise none. When the settings cannot be read (head down) it changes nothing, so the proxy
 * keeps serving through a head outage. A proxy that cannot start (port taken) is not retried until
 * the settings change.
 *
 * <p><b>Threading.</b> {@link #step()} is called by one timer thread; {@link #close()} may come from
 * another, so both are synchronized. Plain class: the settings source, the proxy starter and the
 * registry are interfaces, faked in unit tests.
 */
public final class ProxyAgent implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProxyAgent.class.getName());

  /** Reads the head's settings: empty when none were published; throws when the head cannot be asked. */
  public interface SettingsSource {
    Optional<ProxySettings> read() throws Exception;
  }

  /** A running proxy. */
  public interface Running extends AutoCloseable {
    int port();

    @Override
    void close();
  }

  /** Starts a proxy with {@code options}; throws when it cannot (e.g. the port is taken). */
  public interface Starter {
    Running start(HttpOptions options);
  }

  /** Makes this node's proxy address discoverable (best effort; false when it could not). */
  public interface Registry {
    boolean register(String host, int port);

    void unregister();
  }

  private final SettingsSource settings;
  private final Starter starter;
  private final Registry registry;
  private final OptionalInt portOverride;
  private Running running;
  private HttpOptions runningWith;
  private boolean registered;
  private String lastError;
  /** The options a start failed with; not tried again until the settings change. */
  private HttpOptions failedWith;
  private boolean closed;

  /**
   * @param portOverride when present, this node's proxy listens on this port instead of the
   *     settings' (0: any free port) — for several nodes on one host
   */
  public ProxyAgent(SettingsSource settings, Starter starter, Registry registry, OptionalInt portOverride) {
    this.settings = settings;
    this.starter = starter;
    this.registry = registry;
    this.portOverride = portOverride;
  }

  /** One round: read the settings, start, restart or stop the proxy to match. Never throws. */
  public synchronized void step() {
    if (closed) {
      return;
    }
    Optional<ProxySettings> s;
    try {
      s = settings.read();
    } catch (Exception e) {
      return; // head away: keep whatever runs
    }
    Optional<HttpOptions> want = s.filter(x -> x.location() == ProxyLocation.EveryNode).map(x -> withOverride(x.http()));
    if (running != null && !want.equals(Optional.of(runningWith))) {
      stop();
    }
    if (want.isPresent() && running == null && !want.get().equals(failedWith)) {
      try {
        running = starter.start(want.get());
        runningWith = want.get();
        lastError = null;
        failedWith = null;
        LOG.log(System.Logger.Level.INFO, "serve proxy started on " + want.get().host() + ":" + running.port());
      } catch (RuntimeException e) {
        // Not retried with the same options: on a host shared with other nodes, a retry would take
        // the port of a proxy that is merely restarting (the head's, say).
        failedWith = want.get();
        lastError = "cannot start the serve proxy on " + want.get().host() + ":" + want.get().port() + ": "
            + e.getMessage();
        LOG.log(System.Logger.Level.WARNING, lastError + "; this node runs no proxy until the proxy settings change "
            + "(several nodes on one host: give each its own port with 'troupe start "
            + "--serve-proxy-port PORT', or ServeExtension.builder().proxyPort(PORT) embedded; 0 for any)");
        return;
      }
    }
    if (running != null && !registered) {
      try {
        registered = registry.register(runningWith.host(), running.port());
      } catch (RuntimeException e) {
        registered = false;
      }
    }
  }

  private HttpOptions withOverride(HttpOptions h) {
    return portOverride.isPresent() ? new HttpOptions(h.host(), portOverride.getAsInt(), h.requestTimeout()) : h;
  }

  private void stop() {
    try {
      running.close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "stopping the serve proxy failed", e);
    }
    running = null;
    runningWith = null;
    if (registered) {
      try {
        registry.unregister();
      } catch (RuntimeException e) {
        // best effort: listings skip dead nodes anyway
      }
    }
    registered = false;
  }

  /** The running proxy's port; empty when none runs. */
  public synchronized OptionalInt port() {
    return running == null ? OptionalInt.empty() : OptionalInt.of(running.port());
  }

  /** Why the proxy could not start, if it could not in the latest round. */
  public synchronized Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (running != null) {
      stop();
    }
  }
}
