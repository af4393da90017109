package io.troupe.llm.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Tiny model fixtures for tests (hidden <= 64, vocab <= 512). */
public final class TestModels {
  private TestModels() {}

  /** The TINY preset: MHA-ish GQA 4/2, separate LM head, F32. */
  public static Path tiny(Path dir) {
    return write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY), dir);
  }

  /** A Qwen2/Llama-3 flavoured variant: GQA 8/2, attention bias, tied embeddings, llama3 rope scaling, BF16. */
  public static Path variant(Path dir) {
    ModelConfig c = new ModelConfig(64, 96, 3, 8, 2, 8, 300, 4096, 1e-6, 500000.0,
        new ModelConfig.RopeScaling(8.0, 1.0, 4.0, 64), true, true, 1, List.of(2), "qwen2", "bfloat16");
    return write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY).withConfig(c)
        .withDType(DType.BF16).withSeed(3), dir);
  }

  public static Path write(RandomModelWriter.Spec spec, Path dir) {
    try {
      RandomModelWriter.write(spec, dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
