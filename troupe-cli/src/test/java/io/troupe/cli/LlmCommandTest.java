package io.troupe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe llm}: write a tiny random model, then stream a completion from it (one rank and TP x PP). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LlmCommandTest {
  @TempDir
  Path home;

  @Test
  void writesAModelAndGeneratesFromItWithAndWithoutParallelism() {
    CliHarness cli = new CliHarness(home);
    Path model = home.resolve("model");
    CliHarness.Result w = cli.run("llm", "write-model", model.toString(), "--preset", "tiny");
    assertThat(w.code()).isZero();
    assertThat(Files.exists(model.resolve("config.json"))).isTrue();
    assertThat(Files.exists(model.resolve("tokenizer.json"))).isTrue();

    CliHarness.Result one = cli.run("llm", "generate", model.toString(), "--prompt", "Hello", "--max-tokens", "6");
    assertThat(one.code()).isZero();
    assertThat(one.err()).contains("6 generated").contains("finish: length").contains("tp=1 pp=1");

    CliHarness.Result split = cli.run("llm", "generate", model.toString(), "--prompt", "Hello", "--max-tokens", "6",
        "--tp", "2", "--pp", "2");
    assertThat(split.code()).isZero();
    assertThat(split.err()).contains("tp=2 pp=2");
    // Greedy decoding: the same text whatever the split.
    assertThat(split.out()).isEqualTo(one.out());
  }

  @Test
  void missingModelIsOneLineWithAHint() {
    CliHarness.Result r = new CliHarness(home).run("llm", "generate", home.resolve("nope").toString(), "--prompt", "x");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("troupe: no model in").contains("write-model").doesNotContain("\tat ");
  }
}
