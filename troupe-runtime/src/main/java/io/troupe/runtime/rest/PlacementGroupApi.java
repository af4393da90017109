package io.troupe.runtime.rest;

import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.PlacementGroupException;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.PlacementGroupInfo;
import io.troupe.runtime.api.Troupe;
import io.troupe.runtime.api.TroupeException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Placement groups over REST, on the head:
 * {@code POST /api/placement_groups} (create, optionally waiting {@code wait_s} for CREATED),
 * {@code GET /api/placement_groups[?name=NAME]}, {@code GET /api/placement_groups/{id}} and
 * {@code DELETE /api/placement_groups/{id}}.
 *
 * <p>Stateless: every request goes to the control service through the {@link Troupe} client, which
 * owns all placement-group state. Groups created here without {@code "lifetime": "detached"} are
 * owned by the client's node (the head), so they live until removed or until the head dies.
 * Handlers run on Helidon's virtual threads and block on the client's futures.
 *
 * <p>Status codes: 400 for bad input (unknown field, malformed JSON, bad quantity or strategy, and
 * every {@link PlacementGroupException}: nothing is reserved then); 404 for an unknown id; 408 when
 * {@code wait_s} passed before the group was CREATED (the group stays, and keeps trying); 503 when the
 * control service does not answer.
 */
public final class PlacementGroupApi implements Consumer<HttpRouting.Builder> {
  static final String PATH = "/api/placement_groups";
  /** How long a plain request waits for the control service. */
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(20);

  private final Troupe troupe;

  public PlacementGroupApi(Troupe troupe) {
    this.troupe = troupe;
  }

  @Override
  public void accept(HttpRouting.Builder r) {
    r.post(PATH, guarded((req, res) -> create(res, PlacementGroupRequest.parse(
        req.content().hasEntity() ? req.content().as(String.class) : ""))));
    r.get(PATH, guarded((req, res) -> {
      Optional<String> name = req.query().first("name").asOptional();
      List<PlacementGroupInfo> groups = name.isPresent()
          ? await(troupe.placementGroupByName(name.get()), CONTROL_TIMEOUT).stream().toList()
          : await(troupe.placementGroups(), CONTROL_TIMEOUT);
      Json.ok(res, groups.stream().map(PlacementGroupView::of).toList());
    }));
    r.get(PATH + "/{id}", guarded((req, res) -> {
      PlacementGroupId id = PlacementGroupId.of(req.path().pathParameters().get("id"));
      Optional<PlacementGroupInfo> info = await(troupe.placementGroup(id), CONTROL_TIMEOUT);
      if (info.isEmpty()) {
        notFound(res, id);
      } else {
        Json.ok(res, PlacementGroupView.of(info.get()));
      }
    }));
    r.delete(PATH + "/{id}", guarded((req, res) -> {
      PlacementGroupId id = PlacementGroupId.of(req.path().pathParameters().get("id"));
      if (await(troupe.placementGroup(id), CONTROL_TIMEOUT).isEmpty()) {
        notFound(res, id);
        return;
      }
      await(troupe.removePlacementGroup(id), CONTROL_TIMEOUT);
      Json.ok(res, Map.of("placement_group_id", id.value(), "removed", true));
    }));
  }

  private void create(io.helidon.webserver.http.ServerResponse res, PlacementGroupRequest request) {
    PlacementGroupId id = troupe.createPlacementGroup(request.spec());
    if (request.waitS().isEmpty()) {
      Json.ok(res, Map.of("placement_group_id", id.value()));
      return;
    }
    Duration wait = Duration.ofMillis(Math.round(request.waitS().get() * 1000));
    try {
      Json.ok(res, PlacementGroupView.of(await(troupe.waitPlacementGroupReady(id, wait), wait.plus(CONTROL_TIMEOUT))));
    } catch (PlacementGroupException e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", e.getMessage());
      body.put("placement_group_id", id.value());
      Json.send(res, Status.REQUEST_TIMEOUT_408, body);
    }
  }

  private static void notFound(io.helidon.webserver.http.ServerResponse res, PlacementGroupId id) {
    Json.error(res, Status.NOT_FOUND_404, "no placement group with id " + id + "; GET " + PATH + " lists them");
  }

  /** Maps failures to status codes, so that no exception reaches Helidon's default handler. */
  private static Handler guarded(Handler h) {
    return (req, res) -> {
      try {
        h.handle(req, res);
      } catch (BadRequest | PlacementGroupException e) {
        Json.error(res, Status.BAD_REQUEST_400, e.getMessage());
      } catch (IllegalArgumentException e) {
        Json.error(res, Status.BAD_REQUEST_400, e.getMessage());
      } catch (TroupeException e) {
        Json.error(res, Status.SERVICE_UNAVAILABLE_503, e.getMessage());
      }
    };
  }

  /** Waits for the control service; a {@link TroupeException} (such as a PlacementGroupException) is rethrown as is. */
  static <T> T await(CompletableFuture<T> f, Duration timeout) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TroupeException("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TroupeException t) {
        throw t;
      }
      throw new TroupeException("control service error: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new TroupeException("the control service did not answer within " + timeout.toSeconds() + " s");
    }
  }
}
