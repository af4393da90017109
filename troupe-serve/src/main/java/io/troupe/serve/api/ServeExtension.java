package io.troupe.serve.api;

import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.spi.NodeExtension;
import io.troupe.serve.http.ServeNodeService;
import io.troupe.serve.http.ServeRestApi;
import io.troupe.serve.http.ServeSystem;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Serving on a node (Ray's {@code serve start}): pass it in the node's config
 * ({@code NodeConfig.builder().extensions(List.of(ServeExtension.create()))}, or
 * {@code LocalCluster.Options.builder().extension(ServeExtension.create())}). A head then runs a
 * {@link ServeSystem} (controller, the head's proxy once a config asks for one) and serves
 * {@code /api/serve/applications/} on its REST API; every other node runs a {@link ServeNodeService} (its
 * proxy under {@code proxy_location: EveryNode}). Both stop when the node closes. Nodes without it serve
 * nothing (they still host replicas the controller places there).
 *
 * <p>Immutable; one instance may be passed to many nodes.
 */
public final class ServeExtension implements NodeExtension {
  private final OptionalInt proxyPort;
  private final ClassLoader userClasses;

  private ServeExtension(Builder b) {
    this.proxyPort = b.proxyPort;
    this.userClasses = b.userClasses != null ? b.userClasses
        : Thread.currentThread().getContextClassLoader() != null ? Thread.currentThread().getContextClassLoader()
        : ServeExtension.class.getClassLoader();
  }

  /** Serving with the defaults: proxies on {@code http_options.port}, classes from the context class loader. */
  public static ServeExtension create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The proxy port that replaces {@code http_options.port} on the nodes running this extension, if any. */
  public OptionalInt proxyPort() {
    return proxyPort;
  }

  @Override
  public String name() {
    return "serve";
  }

  @Override
  public Attachment attach(Node node) {
    if (node.head()) {
      ServeSystem system = new ServeSystem(node.troupe(), userClasses, proxyPort);
      return new Attachment() {
        @Override
        public List<Consumer<HttpRouting.Builder>> restRoutes() {
          return List.of(new ServeRestApi(system));
        }

        @Override
        public void close() {
          system.close();
        }
      };
    }
    ServeNodeService service = new ServeNodeService(node.troupe(), proxyPort);
    return service::close;
  }

  @Override
  public String toString() {
    return "ServeExtension[proxyPort=" + (proxyPort.isPresent() ? proxyPort.getAsInt() : "config") + "]";
  }

  /** Options of {@link ServeExtension}; every one has a default. */
  public static final class Builder {
    private OptionalInt proxyPort = OptionalInt.empty();
    private ClassLoader userClasses;

    /**
     * The port every proxy of these nodes listens on instead of {@code http_options.port} (0: a free port each;
     * find it in {@code GET /api/serve/applications/} under {@code proxies}). For several nodes on one host.
     * Default: the config's port.
     */
    public Builder proxyPort(int port) {
      if (port < 0 || port > 65535) {
        throw new ServeException("the serve proxy port must be 0..65535, got " + port);
      }
      proxyPort = OptionalInt.of(port);
      return this;
    }

    /** Where deployment classes load from; default: the creating thread's context class loader. */
    public Builder userClasses(ClassLoader loader) {
      userClasses = loader;
      return this;
    }

    public ServeExtension build() {
      return new ServeExtension(this);
    }
  }
}
