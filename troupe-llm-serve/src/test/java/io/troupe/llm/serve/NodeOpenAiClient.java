package io.troupe.llm.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The official {@code openai} npm client, installed by the test itself: {@code src/test/js/package.json} and its
 * {@code package-lock.json} (the pinned version) are copied to {@code target/openai-client/} and installed there
 * with {@code npm ci} (npm's own cache makes reruns offline-fast; an install whose lock file did not change is
 * reused). Then {@code node openai-e2e.mjs ...} runs against a server and prints JSON.
 *
 * <p>Needs Node.js (18 or newer) and npm on the PATH, and the npm registry reachable on the first run. Without
 * them the test <b>fails</b> and says so; to skip it on purpose set {@code TROUPE_SKIP_NODE_TESTS=1}.
 */
final class NodeOpenAiClient {
  static final String SKIP_ENV = "TROUPE_SKIP_NODE_TESTS";
  private static final Path SOURCE = Path.of("src/test/js");
  private static final Path DIR = Path.of("target/openai-client");

  private NodeOpenAiClient() {
  }

  /** Installs the client (once per lock file) and returns the directory to run scripts in. */
  static Path install() throws Exception {
    if ("1".equals(System.getenv(SKIP_ENV))) {
      Assumptions.abort(SKIP_ENV + "=1: the test with the official openai npm client is skipped on purpose");
    }
    String node = run(List.of("node", "--version"), Path.of("."), 30,
        "Node.js is needed for the end-to-end test with the official openai npm client, and 'node' is not on the "
            + "PATH: install Node.js 18 or newer with npm (e.g. 'apt-get install nodejs npm'), or set " + SKIP_ENV
            + "=1 to skip this test on purpose");
    int major = Integer.parseInt(node.strip().replaceFirst("^v(\\d+).*", "$1"));
    if (major < 18) {
      throw new AssertionError("the openai npm client needs Node.js 18 or newer, found " + node.strip());
    }
    Files.createDirectories(DIR);
    byte[] lock = Files.readAllBytes(SOURCE.resolve("package-lock.json"));
    Path installedLock = DIR.resolve("node_modules/.troupe-installed-lock.json");
    for (String f : List.of("package.json", "package-lock.json", "openai-e2e.mjs")) {
      Files.copy(SOURCE.resolve(f), DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.exists(installedLock) || !java.util.Arrays.equals(Files.readAllBytes(installedLock), lock)) {
      run(List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), DIR, 180,
          "'npm ci' of the pinned openai client failed (npm on the PATH? the npm registry reachable?); set "
              + SKIP_ENV + "=1 to skip this test on purpose");
      Files.write(installedLock, lock);
    }
    return DIR;
  }

  /** Runs {@code node openai-e2e.mjs args...} in the install dir; returns stdout (its last line is JSON). */
  static String runScript(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("node", "openai-e2e.mjs"));
    cmd.addAll(List.of(args));
    return run(cmd, dir, 120, "the openai client script failed");
  }

  private static String run(List<String> cmd, Path dir, int timeoutS, String hint) throws Exception {
    Path log = Files.createTempFile("troupe-node", ".log");
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false)
          .redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(hint + " (" + String.join(" ", cmd) + ": " + e.getMessage() + ")", e);
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutS + " s; " + hint);
    }
    String stdout = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(hint + ": " + String.join(" ", cmd) + " exited with " + p.exitValue() + "\nstdout:\n"
          + stdout + "\nstderr:\n" + Files.readString(log));
    }
    Files.deleteIfExists(log);
    return stdout;
  }
}
