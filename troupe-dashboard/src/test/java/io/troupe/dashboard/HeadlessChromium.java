package io.troupe.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} run headless from a test: the page's DOM after its scripts ran ({@code --dump-dom}) and
 * a screenshot. Installs the package with apt-get when it is missing and the test runs as root on Debian; otherwise
 * {@link #find()} is empty and says why through {@link #missingReason()}.
 */
final class HeadlessChromium {
  private static String missing = "";
  private final String binary;
  private final Path profile;

  private HeadlessChromium(String binary, Path profile) {
    this.binary = binary;
    this.profile = profile;
  }

  static String missingReason() {
    return missing;
  }

  /** Chromium, installed first if possible; empty when it is not there and cannot be installed here. */
  static synchronized Optional<HeadlessChromium> find(Path profile) {
    for (String b : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(b))) {
        return Optional.of(new HeadlessChromium(b, profile));
      }
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root || !Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      missing = "chromium is not installed and this test cannot install it (needs root and apt-get): "
          + "install Debian's 'chromium' package";
      return Optional.empty();
    }
    try {
      Process p = new ProcessBuilder("sh", "-c",
          "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isExecutable(Path.of("/usr/bin/chromium"))) {
        missing = "installing chromium with apt-get failed: " + out.lines().reduce((a, b) -> b).orElse("");
        return Optional.empty();
      }
    } catch (IOException | InterruptedException e) {
      missing = "installing chromium with apt-get failed: " + e;
      return Optional.empty();
    }
    return Optional.of(new HeadlessChromium("/usr/bin/chromium", profile));
  }

  /** The DOM of {@code url} after {@code budgetMs} of (virtual) time for its scripts and fetches. */
  String dumpDom(String url, int budgetMs) throws IOException, InterruptedException {
    return run(url, budgetMs, "--dump-dom");
  }

  /** A PNG of {@code url} after {@code budgetMs}. */
  void screenshot(String url, int budgetMs, Path png) throws IOException, InterruptedException {
    Files.createDirectories(png.getParent());
    run(url, budgetMs, "--screenshot=" + png.toAbsolutePath());
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new IOException("chromium wrote no screenshot " + png);
    }
  }

  private String run(String url, int budgetMs, String what) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--enable-logging=stderr", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1400,1000",
        "--virtual-time-budget=" + budgetMs, what, url));
    // chromium's own log, with the pages' console messages, next to the profile (a test artefact)
    Process p = new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(profile.resolveSibling("chromium.log").toFile())).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish " + what + " " + url + " in 60 s");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
