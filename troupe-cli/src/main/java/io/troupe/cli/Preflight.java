package io.troupe.cli;

import io.troupe.runtime.api.NodeConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Checks made before a node is spawned, so that the common mistakes fail at once with a clear line
 * instead of in a background log: a port already taken, and (for a worker) no head at the address.
 * The node itself still fails cleanly if something changes in between; these only make the usual
 * case fast and readable.
 */
final class Preflight {
  static final int CONNECT_TIMEOUT_MS = 3_000;

  private Preflight() {}

  /** Throws {@link CliException} (exit 1) when the node cannot start. */
  static void check(NodeConfig config) {
    if (config.port() != 0 && !canBind(config.host(), config.port())) {
      throw new CliException(config.head()
          ? "port " + config.port() + " is in use (another head running? 'troupe stop' stops it, or pass --port)"
          : "port " + config.port() + " is in use; pass another --port, or leave it out to pick a free one");
    }
    if (config.head()) {
      if (config.dashboardPort() != 0 && !canBind(config.dashboardHost(), config.dashboardPort())) {
        throw new CliException("dashboard port " + config.dashboardPort()
            + " is in use (another head running? 'troupe stop' stops it, or pass --dashboard-port)");
      }
    } else if (!answers(config.headAddress())) {
      throw new CliException("no Troupe head answers at " + config.headAddress()
          + "; start one with 'troupe start --head' or check --address");
    }
  }

  /** True when a server socket can be bound to host:port right now (and is released again). */
  static boolean canBind(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, port));
      return true;
    } catch (BindException e) {
      if (e.getMessage() != null && e.getMessage().contains("assign requested address")) {
        throw new CliException("cannot bind " + host + ": it is not an address of this machine; check --host/--dashboard-host");
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** True when something accepts TCP connections at {@code host:port}. */
  static boolean answers(String hostPort) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(OptionParsers.host(hostPort), OptionParsers.port(hostPort)), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }
}
