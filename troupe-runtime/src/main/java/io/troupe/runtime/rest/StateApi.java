package io.troupe.runtime.rest;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code GET /api/cluster/status}, {@code GET /api/autoscaler}, {@code GET /api/actors},
 * {@code GET /api/actors/{id}}.
 */
public final class StateApi implements Consumer<HttpRouting.Builder> {
  private final Troupe troupe;

  public StateApi(Troupe troupe) {
    this.troupe = troupe;
  }

  @Override
  public void accept(HttpRouting.Builder r) {
    r.get("/api/cluster/status", (req, res) -> Json.ok(res, await(MetricsTargets.status(troupe))));
    r.get("/api/autoscaler", (req, res) -> {
      // written by the head's cluster autoscaler (troupe start --head --autoscaling-config / troupe up)
      var bytes = await(troupe.kvGet(io.troupe.runtime.autoscaler.AutoscalerStatus.KV_KEY));
      if (bytes.isEmpty()) {
        Json.ok(res, java.util.Map.of("enabled", false));
      } else {
        Json.ok(res, Json.MAPPER.readTree(bytes.get()));
      }
    });
    r.get("/api/actors", (req, res) -> Json.ok(res, await(troupe.actors())));
    r.get("/api/actors/{id}", (req, res) -> {
      String id = req.path().pathParameters().get("id");
      ActorInfo info;
      try {
        // One directory lookup, not the whole actor list.
        info = troupe.handle(new ActorId(id), Object.class).info().get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TroupeException) { // the control service does not know the id
          Json.error(res, Status.NOT_FOUND_404, "no actor with id " + id + "; GET /api/actors lists them");
          return;
        }
        throw new TroupeException("control service error: " + e.getCause().getMessage(), e.getCause());
      }
      Json.ok(res, info);
    });
  }

  static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TroupeException("interrupted");
    } catch (ExecutionException e) {
      throw new TroupeException("control service error: " + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TroupeException("control service did not answer in time");
    }
  }
}
