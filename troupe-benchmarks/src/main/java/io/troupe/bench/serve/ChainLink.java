package io.troupe.bench.serve;

import io.troupe.serve.api.DeploymentHandle;
import io.troupe.serve.api.ServeRequest;
import io.troupe.serve.api.ServeResponse;
import java.util.concurrent.TimeUnit;

/** One link of the benchmark chain: {@link #hop()} calls the next link and prepends its node. */
public class ChainLink {
  private final DeploymentHandle<Object> next;

  public ChainLink(DeploymentHandle<Object> next) {
    this.next = next;
  }

  public ServeResponse handle(ServeRequest request) throws Exception {
    return ServeResponse.ok(hop());
  }

  public String hop() throws Exception {
    return BenchNodes.current() + "," + next.<String>remote("hop").get(30, TimeUnit.SECONDS);
  }
}
