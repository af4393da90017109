package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.runtime.api.NodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes manifests of {@code deploy/kubernetes} describe a cluster that would form: the head advertises
 * the DNS name workers join, its state dir is its volume, the probes hit the metrics port the node opens once it
 * has registered, services select real pods and ports, and a worker's {@code nvidia.com/gpu} limit is its
 * {@code --num-gpus}. The containers' {@code troupe start} arguments go through the real CLI parser and
 * {@link StartCommand#toConfig()}.
 *
 * <p>Checked twice: on the base's files as written (always), and on what {@code kubectl kustomize} renders
 * for the base and the example overlay (when a kubectl with kustomize v5 is on the PATH; otherwise that
 * test is skipped with the reason — {@code kubectl apply --dry-run=client} needs an API server, so it is
 * not used).
 */
@Timeout(60)
class KubernetesManifestsTest {
  @TempDir
  Path home;

  @Test
  void theBaseFilesDescribeAClusterThatForms() throws IOException {
    Path base = KubernetesManifests.folder().resolve("base");
    KubernetesManifests m = KubernetesManifests.resourcesOf(base);
    List<String> listed = KubernetesManifests.list(KubernetesManifests.YAML.readTree(
        base.resolve("kustomization.yaml").toFile()).path("resources"));
    try (Stream<Path> files = Files.list(base)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
          .filter(f -> !f.equals("kustomization.yaml"))).as("every manifest is in the kustomization")
          .containsExactlyInAnyOrderElementsOf(listed);
    }
    checkCluster(m, "troupe", 1);
  }

  @Test
  void kustomizeRendersTheBaseAndTheExampleOverlayWithTheGpuLimitAsNumGpus() throws Exception {
    String version = kubectl("version", "--client");
    Matcher v = Pattern.compile("Kustomize Version: v(\\d+)").matcher(version);
    Assumptions.assumeTrue(v.find() && Integer.parseInt(v.group(1)) >= 5,
        "kubectl with kustomize v5+ is not on the PATH (" + version.strip() + "): the rendered manifests are not "
            + "checked here; theBaseFilesDescribeAClusterThatForms checked the files themselves");
    Path root = KubernetesManifests.folder();
    checkCluster(KubernetesManifests.parse(kubectl("kustomize", root.resolve("base").toString())), "troupe", 1);

    KubernetesManifests overlay = KubernetesManifests.parse(kubectl("kustomize", root.resolve("overlays/example").toString()));
    checkCluster(overlay, "troupe", 8);
    assertThat(overlay.docs).allSatisfy(d -> {
      if (!d.path("kind").asText().equals("Namespace")) {
        assertThat(d.path("metadata").path("namespace").asText()).isEqualTo("troupe");
      }
    });
    JsonNode worker = overlay.get("Deployment", "troupe-worker");
    assertThat(worker.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(KubernetesManifests.container(worker, "troupe").path("image").asText())
        .isEqualTo("registry.example.com/troupe:0.1.0");
  }

  @Test
  void theImageRunsTheCliThroughItsEntryPoint() throws Exception {
    Path docker = KubernetesManifests.folder().resolveSibling("docker");
    String dockerfile = Files.readString(docker.resolve("Dockerfile"));
    String entry = Files.readString(docker.resolve("troupe-entrypoint.sh"));
    assertThat(dockerfile).contains("COPY deploy/docker/troupe-entrypoint.sh /usr/local/bin/troupe")
        .contains("ENTRYPOINT [\"/usr/local/bin/troupe\"]")
        .contains("cp troupe-cli/target/troupe-cli.jar /opt/troupe/").contains("cp -r troupe-cli/target/lib /opt/troupe/lib");
    Matcher main = Pattern.compile("-cp \"/opt/troupe/troupe-cli.jar:/opt/troupe/lib/\\*\" \\\\\\s+(\\S+)").matcher(entry);
    assertThat(main.find()).as(entry).isTrue();
    assertThat(main.group(1)).isEqualTo(Main.class.getName());
    assertThat(Files.readString(KubernetesManifests.folder().getParent().getParent().resolve("troupe-cli/pom.xml")))
        .contains("<finalName>troupe-cli</finalName>");
  }

  /** The invariants of a cluster whose workers have {@code gpus} GPUs each, in namespace {@code ns}. */
  private void checkCluster(KubernetesManifests m, String ns, int gpus) {
    assertThat(m.docs).allSatisfy(d -> assertThat(d.path("apiVersion").asText() + d.path("kind").asText()
        + d.path("metadata").path("name").asText()).as("%s", d).isNotBlank());
    assertThat(m.docs).allSatisfy(d -> assertThat(d.has("apiVersion") && d.has("kind") && d.path("metadata").has("name"))
        .as("apiVersion, kind and metadata.name: %s", d).isTrue());

    JsonNode head = m.get("StatefulSet", "troupe-head");
    JsonNode headC = KubernetesManifests.container(head, "troupe");
    assertThat(head.path("spec").path("replicas").asInt()).isEqualTo(1);
    JsonNode headless = m.get("Service", head.path("spec").path("serviceName").asText());
    assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
    assertThat(headless.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
    NodeConfig headConfig = KubernetesManifests.startConfig(headC, home);
    assertThat(headConfig.head()).isTrue();
    assertThat(headConfig.host()).as("the head advertises its stable DNS name")
        .isEqualTo(KubernetesManifests.FIELDS.get("metadata.name") + "." + headless.path("metadata").path("name").asText()
            + "." + ns + ".svc");
    assertThat(headConfig.dashboardHost()).isEqualTo("0.0.0.0");
    assertThat(headConfig.dashboardToken()).as("token from the secret").isEqualTo("secret");
    String stateVolume = head.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText();
    assertThat(headC.path("volumeMounts")).anySatisfy(vm -> {
      assertThat(vm.path("name").asText()).isEqualTo(stateVolume);
      assertThat(Path.of(vm.path("mountPath").asText())).isEqualTo(headConfig.stateDir());
    });
    checkResourcesAndProbes(headC, headConfig);
    assertThat(headConfig.numGpus()).isZero();

    JsonNode worker = m.get("Deployment", "troupe-worker");
    JsonNode workerC = KubernetesManifests.container(worker, "troupe");
    NodeConfig workerConfig = KubernetesManifests.startConfig(workerC, home);
    assertThat(workerConfig.head()).isFalse();
    assertThat(workerConfig.headAddress()).as("workers join the address the head advertises")
        .isEqualTo(headConfig.host() + ":" + headConfig.port());
    assertThat(KubernetesManifests.env(workerC).get("TROUPE_WAIT_FOR")).isEqualTo(workerConfig.headAddress());
    assertThat(workerConfig.host()).isEqualTo(KubernetesManifests.FIELDS.get("status.podIP"));
    JsonNode gpuLimit = workerC.path("resources").path("limits").path("nvidia.com/gpu");
    assertThat(gpuLimit.asInt()).isEqualTo(gpus);
    assertThat(workerConfig.numGpus()).as("--num-gpus is the pod's nvidia.com/gpu limit").isEqualTo(gpus);
    JsonNode gpuRequest = workerC.path("resources").path("requests").path("nvidia.com/gpu");
    assertThat(gpuRequest.isMissingNode() || gpuRequest.asInt() == gpus).as("GPU request = limit").isTrue();
    checkResourcesAndProbes(workerC, workerConfig);
    assertThat(headC.path("image").asText()).isEqualTo(workerC.path("image").asText());

    for (JsonNode svc : m.docs.stream().filter(d -> d.path("kind").asText().equals("Service")).toList()) {
      List<JsonNode> pods = new ArrayList<>();
      for (JsonNode w : List.of(head, worker)) {
        JsonNode labels = w.path("spec").path("template").path("metadata").path("labels");
        List<String> missing = new ArrayList<>();
        svc.path("spec").path("selector").fields().forEachRemaining(
            e -> { if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) missing.add(e.getKey()); });
        if (missing.isEmpty()) {
          pods.add(KubernetesManifests.container(w, "troupe"));
        }
      }
      assertThat(pods).as("pods selected by service %s", svc.path("metadata").path("name")).isNotEmpty();
      for (JsonNode port : svc.path("spec").path("ports")) {
        for (JsonNode c : pods) {
          assertThat(c.path("ports")).as("service %s port %s on every selected pod", svc.path("metadata").path("name"), port)
              .anySatisfy(p -> assertThat(p.path("name").asText()).isEqualTo(port.path("targetPort").asText()));
        }
      }
    }
  }

  private static void checkResourcesAndProbes(JsonNode c, NodeConfig config) {
    JsonNode limits = c.path("resources").path("limits");
    assertThat(config.numCpus()).isEqualTo(KubernetesManifests.quantity(limits.path("cpu").asText()).doubleValue());
    assertThat(config.memoryBytes()).isEqualTo(KubernetesManifests.quantity(limits.path("memory").asText()).longValueExact());
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertThat(c.has(probe)).as(probe).isTrue();
      assertThat(c.path(probe).path("httpGet").path("path").asText()).isEqualTo("/metrics");
      assertThat(KubernetesManifests.probePort(c, c.path(probe))).as(probe + " on the node's metrics port")
          .isEqualTo(config.metricsPort());
    }
  }

  private static String kubectl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kubectl"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return "kubectl not found: " + e.getMessage();
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s: %s", cmd, text).isZero();
    return text;
  }
}
