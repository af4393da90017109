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

  /**
   * A tiny model of {@code family} with its features on (see {@link RandomModelWriter#asFamily}): hidden 64, GQA
   * 4/2, head_dim 16, vocab 512, a sliding window of 4 tokens (so prompts of a dozen tokens cross it), 6 layers
   * for Gemma 3 (five sliding, one global) and 3 for the others, BF16 on disk.
   */
  public static Path family(Family family, Path dir) {
    ModelConfig base = new ModelConfig(64, 96, family == Family.GEMMA3 ? 6 : 3, 4, 2, 16, 512, 2048, 1e-6, 10000.0,
        null, false, false, 1, List.of(2), "llama", "bfloat16");
    return write(RandomModelWriter.Spec.of(RandomModelWriter.Preset.TINY)
        .withConfig(RandomModelWriter.asFamily(base, family, 4)).withDType(DType.BF16).withSeed(11), dir);
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
