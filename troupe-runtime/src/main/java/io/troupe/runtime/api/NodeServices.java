package io.troupe.runtime.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Objects a layer keeps once per node (a handle client, a cache of routing tables), found through the
 * node's {@link Troupe#nodeServices()} instead of static maps: they live and die with the node, so the
 * nodes of one JVM stay apart. Services that are {@link AutoCloseable} are closed when the node closes,
 * in reverse order of creation, after the node's {@link io.troupe.runtime.spi.NodeExtension}s.
 *
 * <p>Thread-safe; each type is created at most once per node.
 */
public final class NodeServices implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeServices.class.getName());
  private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();
  private final List<Object> order = new ArrayList<>();
  private boolean closed;

  /** The node's {@code type}, created by {@code create} on first use. */
  public <T> T get(Class<T> type, Supplier<? extends T> create) {
    Object known = services.get(type);
    if (known != null) {
      return type.cast(known);
    }
    synchronized (this) {
      if (closed) {
        throw new TroupeException("the node has closed; its " + type.getSimpleName() + " is gone");
      }
      Object s = services.get(type);
      if (s == null) {
        s = create.get();
        services.put(type, s);
        order.add(s);
      }
      return type.cast(s);
    }
  }

  /** The node's {@code type}, if created. */
  public <T> Optional<T> find(Class<T> type) {
    return Optional.ofNullable(type.cast(services.get(type)));
  }

  /** Closes every closeable service, newest first; idempotent. Called by the runtime when the node closes. */
  @Override
  public void close() {
    List<Object> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(order);
      order.clear();
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i) instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.log(System.Logger.Level.WARNING, "a node service failed to close: " + e);
        }
      }
    }
    services.clear();
  }
}
