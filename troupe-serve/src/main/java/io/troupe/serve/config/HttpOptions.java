package io.troupe.serve.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of the HTTP proxies. Immutable.
 *
 * @param host address to listen on; default 127.0.0.1 (set 0.0.0.0 to serve other machines)
 * @param port default 8000
 * @param requestTimeout an HTTP request not answered in this time fails with 408; empty for none
 */
public record HttpOptions(String host, int port, Optional<Duration> requestTimeout) {
  public static final HttpOptions DEFAULT = new HttpOptions("127.0.0.1", 8000, Optional.empty());

  public HttpOptions {
    Objects.requireNonNull(host, "host");
    requestTimeout = requestTimeout == null ? Optional.empty() : requestTimeout;
  }
}
