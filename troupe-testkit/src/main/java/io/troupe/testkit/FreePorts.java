package io.troupe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A TCP port free right now, for configs that need a number before the server starts (a node's Pekko port,
 * the serve HTTP port in a YAML file). Bound and released, so another process could take it in between; where
 * a server can bind port 0 itself, let it.
 */
public final class FreePorts {
  private FreePorts() {}

  public static int pick() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port", e);
    }
  }
}
