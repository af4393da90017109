package io.troupe.bench.serve;

import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;

/** Benchmark ingress that does nothing: answers every HTTP request with "ok". */
public class Noop {
  public Noop() {
  }

  public ServeResponse handle(ServeRequest request) {
    return ServeResponse.ok("ok");
  }
}
