package io.troupe.llm.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the engine holds weight matrices in memory (the {@code dtype} of a model's config). Norms, biases and the
 * input embedding stay float32; compute is float32 throughout (16-bit and int8 weights are widened per tile in
 * the kernels).
 */
public enum WeightType {
  /** As the checkpoint stores them: float32 stays float32, bfloat16 and float16 stay 16-bit. */
  AUTO("auto"),
  /** float32: 4 bytes per weight. */
  FLOAT32("float32"),
  /** bfloat16: 2 bytes per weight (float32 checkpoints rounded to nearest even). */
  BFLOAT16("bfloat16"),
  /** IEEE float16: 2 bytes per weight. */
  FLOAT16("float16"),
  /** int8 with one float scale per row, quantized at load: about 1 byte per weight. */
  INT8("int8");

  private final String configName;

  WeightType(String configName) {
    this.configName = configName;
  }

  /** The name in configs: auto, float32, bfloat16, float16, int8. */
  public String configName() {
    return configName;
  }

  /**
   * Parses a config's {@code dtype} (also bf16, fp16, half, f32, float).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static WeightType parse(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return switch (n) {
      case "auto" -> AUTO;
      case "float32", "f32", "float", "fp32" -> FLOAT32;
      case "bfloat16", "bf16" -> BFLOAT16;
      case "float16", "f16", "fp16", "half" -> FLOAT16;
      case "int8", "q8" -> INT8;
      case "q4", "int4" -> throw new IllegalArgumentException("dtype '" + name + "' (4-bit weights) is not "
          + "implemented by the built-in engine yet; use int8, bfloat16, float16 or float32");
      default -> throw new IllegalArgumentException("dtype must be one of " + names() + ", got '" + name + "'");
    };
  }

  /** "auto, float32, bfloat16, float16, int8". */
  public static String names() {
    return Arrays.stream(values()).map(WeightType::configName).collect(Collectors.joining(", "));
  }

  /** AUTO resolved to how a tensor is stored ({@code stored} itself resolved); the others as they are. */
  public WeightType resolve(WeightType stored) {
    return this == AUTO ? stored : this;
  }

  /** AUTO resolved against the checkpoint's element type; the others as they are. */
  public WeightType resolve(DType stored) {
    if (this != AUTO) {
      return this;
    }
    return switch (stored) {
      case F32 -> FLOAT32;
      case BF16 -> BFLOAT16;
      case F16 -> FLOAT16;
    };
  }
}
