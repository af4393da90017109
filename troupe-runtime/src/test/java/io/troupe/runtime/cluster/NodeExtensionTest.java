package io.troupe.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.webserver.http.HttpRouting;
import io.troupe.runtime.api.NodeConfig;
import io.troupe.runtime.api.TroupeException;
import io.troupe.runtime.api.TroupeNode;
import io.troupe.runtime.spi.NodeExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Extensions passed in a node's config: attached in order once the node is up (the head's REST API serves
 * their routes), closed first and newest first when it closes; one that fails to attach fails the start and
 * what was attached is closed. Nodes of one JVM run only their own config's extensions.
 */
@Timeout(60)
class NodeExtensionTest {
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Records its life; on the head it serves {@code GET /api/test/<name>} with the node's id. */
  private NodeExtension recording(String name) {
    return new NodeExtension() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Attachment attach(Node node) {
        events.add("attach " + name + (node.head() ? " head" : " worker"));
        assertThat(node.troupe().nodeId()).isEqualTo(node.nodeId());
        return new Attachment() {
          @Override
          public List<Consumer<HttpRouting.Builder>> restRoutes() {
            return List.of(r -> r.get("/api/test/" + name, (req, res) -> res.send(node.nodeId().value())));
          }

          @Override
          public void close() {
            events.add("close " + name);
          }
        };
      }
    };
  }

  private static NodeConfig.Builder head() {
    return NodeConfig.builder().head(true).port(0).dashboardPort(0).numCpus(1.0).numGpus(0).memoryBytes(1L << 30)
        .failureDetection(Duration.ofSeconds(4));
  }

  @Test
  void extensionsAreAttachedServeRoutesAndCloseWithTheirNode() throws Exception {
    try (TroupeNode node = TroupeNode.start(head().extensions(List.of(recording("a"), recording("b"))).build());
        TroupeNode bare = TroupeNode.start(NodeConfig.builder().port(0).headAddress(node.address()).numCpus(1.0)
            .numGpus(0).memoryBytes(1L << 30).failureDetection(Duration.ofSeconds(4)).build())) {
      assertThat(events).containsExactly("attach a head", "attach b head"); // the worker's config has none
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.dashboardUrl() + "/api/test/b"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(node.nodeId().value());
      bare.close();
      assertThat(events).hasSize(2);
    }
    assertThat(events).containsExactly("attach a head", "attach b head", "close b", "close a");
  }

  @Test
  void anExtensionThatFailsToAttachFailsTheStartAndWhatWasAttachedIsClosed() {
    NodeExtension failing = new NodeExtension() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public Attachment attach(Node node) {
        throw new IllegalStateException("no config for broken");
      }
    };

    assertThatThrownBy(() -> TroupeNode.start(head().extensions(List.of(recording("a"), failing)).build()))
        .isInstanceOf(TroupeException.class)
        .hasMessageContaining("the broken extension failed to start")
        .hasMessageContaining("no config for broken");
    assertThat(events).containsExactly("attach a head", "close a");
  }
}
