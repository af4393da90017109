package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.runtime.api.ActorDiedException;
import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.ActorInfo;
import io.troupe.runtime.api.ActorState;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.ResourceSet;
import io.troupe.runtime.node.ActorHost;
import io.troupe.runtime.protocol.AgentCommand;
import io.troupe.runtime.protocol.ControlCommand.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The router's handling of actors this node is creating (pipelined creation), without a cluster. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallRouterTest {
  private static final NodeId HERE = NodeId.of("here");
  private static final NodeId THERE = NodeId.of("there");

  private final List<ActorId> lookups = new ArrayList<>();
  private final List<AgentCommand.Invoke> sent = new ArrayList<>();
  private final TestInbox<AgentCommand> agent = TestInbox.create();
  private final TestInbox<AgentCommand.InvokeReply> replies = TestInbox.create();
  private final CallRouter router = new CallRouter(new CallRouter.Transport() {
    @Override
    public CompletionStage<Reply.Lookup> lookup(ActorId id) {
      lookups.add(id);
      return new CompletableFuture<>();
    }

    @Override
    public void send(ActorRef<AgentCommand> to, AgentCommand.Invoke invoke) {
      sent.add(invoke);
    }

    @Override
    public ActorRef<AgentCommand.InvokeReply> replyTo() {
      return replies.getRef();
    }

    @Override
    public NodeId localNode() {
      return HERE;
    }

    @Override
    public Optional<ActorHost> localHost(ActorId id) {
      return Optional.empty();
    }
  });

  private static ActorInfo info(ActorId id, ActorState state, String cause) {
    return new ActorInfo(id, "C", null, state, state == ActorState.ALIVE ? THERE : null, 0, 0, ResourceSet.EMPTY,
        cause, null);
  }

  @Test
  void callsToAnActorBeingCreatedWaitForItsAlivePushWithoutALookup() {
    ActorId id = ActorId.of("a1");
    router.expectCreation(id);
    CompletableFuture<Object> first = router.call(id, "ping", new Object[] {1});
    CompletableFuture<Object> second = router.call(id, "ping", new Object[] {2});
    assertThat(lookups).isEmpty();
    assertThat(sent).isEmpty();
    router.onUpdate(info(id, ActorState.ALIVE, null), 0, agent.getRef());
    assertThat(sent).extracting(AgentCommand.Invoke::method).containsExactly("ping", "ping");
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
  }

  @Test
  void aFailedCreationFailsQueuedAndLaterCallsWithItsCause() {
    ActorId id = ActorId.of("a2");
    router.expectCreation(id);
    CompletableFuture<Object> queued = router.call(id, "ping", new Object[0]);
    router.creationFailed(id, "the control service did not answer the creation of actor a2");
    for (CompletableFuture<Object> f : List.of(queued, router.call(id, "ping", new Object[0]))) {
      assertThat(f).failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(ActorDiedException.class).withMessageContaining("did not answer the creation");
    }
  }

  @Test
  void aFailureReportedAfterTheActorCameUpIsIgnored() {
    ActorId id = ActorId.of("a3");
    router.expectCreation(id);
    router.onUpdate(info(id, ActorState.ALIVE, null), 0, agent.getRef());
    router.creationFailed(id, "late");
    router.call(id, "ping", new Object[0]);
    assertThat(sent).hasSize(1);
  }
}
