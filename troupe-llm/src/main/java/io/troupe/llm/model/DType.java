package io.troupe.llm.model;

/** Element types of safetensors tensors that Troupe reads and writes. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Parses the safetensors dtype name; throws for types Troupe cannot load. */
  public static DType parse(String name) {
    return switch (name) {
      case "F32" -> F32;
      case "F16" -> F16;
      case "BF16" -> BF16;
      default -> throw new IllegalArgumentException("unsupported safetensors dtype " + name
          + " (supported: F32, F16, BF16)");
    };
  }

  /** The Hugging Face {@code torch_dtype} name. */
  public String torchName() {
    return switch (this) {
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
    };
  }

  /** Float to bfloat16 bits with round-to-nearest-even. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) 0x7fc0;
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  static float fromBf16(short s) {
    return Float.intBitsToFloat((s & 0xffff) << 16);
  }
}
