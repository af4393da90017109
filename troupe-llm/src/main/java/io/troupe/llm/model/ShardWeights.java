package io.troupe.llm.model;

import static io.troupe.llm.model.LlamaTensorNames.attn;
import static io.troupe.llm.model.LlamaTensorNames.mlp;

import io.troupe.llm.kernels.F32Matrix;
import io.troupe.llm.kernels.Half16Matrix;
import io.troupe.llm.kernels.Matrix;
import io.troupe.llm.kernels.Q8Matrix;
import io.troupe.llm.spi.RankSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights one rank holds: the decoder layers of its pipeline stage, and of each the slice that its
 * tensor-parallel rank owns — whole query/key/value heads and MLP rows (column-parallel q/k/v, gate,
 * up), and the matching input columns of o_proj and down_proj (row-parallel, summed by all-reduce).
 * The first stage holds the embedding, the last stage the final norm and its vocabulary slice of the
 * LM head. Immutable after {@link #load}; safe to read from many threads.
 */
public record ShardWeights(
    ModelConfig config,
    RankSpec rank,
    int layerStart,
    int localHeads,
    int localKvHeads,
    int localIntermediate,
    F32Matrix embed,            // [vocab, hidden], first stage only, else null
    List<Layer> layers,         // layers [layerStart, layerStart + layers.size())
    float[] finalNorm,          // [hidden], last stage only
    Matrix lmHead,              // [vocabCount, hidden] rows vocabStart.., last stage only
    int vocabStart) {

  /**
   * One decoder layer's shard. q/k/v/gate/up hold this rank's output rows; o/down its input columns.
   */
  public record Layer(
      float[] inputNorm,  // [hidden]
      Matrix wq,          // [localHeads*headDim, hidden]
      Matrix wk,          // [localKvHeads*headDim, hidden]
      Matrix wv,          // [localKvHeads*headDim, hidden]
      float[] bq,         // [localHeads*headDim] or null
      float[] bk,         // [localKvHeads*headDim] or null
      float[] bv,         // [localKvHeads*headDim] or null
      Matrix wo,          // [hidden, localHeads*headDim]
      float[] postNorm,   // [hidden] the norm before the MLP (Gemma: pre_feedforward_layernorm)
      Matrix wGate,       // [localIntermediate, hidden]
      Matrix wUp,         // [localIntermediate, hidden]
      Matrix wDown,       // [hidden, localIntermediate]
      float[] qNorm,      // [headDim] or null (Qwen3, Gemma 3)
      float[] kNorm,      // [headDim] or null
      float[] attnOutNorm, // [hidden] or null: Gemma's post_attention_layernorm, on the attention output
      float[] mlpOutNorm) {} // [hidden] or null: Gemma's post_feedforward_layernorm, on the MLP output

  /** Whether the model's shapes can be split {@code tpSize} ways. */
  public static void checkSplittable(ModelConfig c, int tpSize, int ppSize) {
    if (c.numKvHeads() % tpSize != 0 || c.intermediateSize() % tpSize != 0) {
      throw new IllegalArgumentException("tensor parallel " + tpSize + " must divide num_key_value_heads "
          + c.numKvHeads() + " and intermediate_size " + c.intermediateSize());
    }
    if (ppSize > c.numLayers()) {
      throw new IllegalArgumentException("pipeline parallel " + ppSize + " exceeds " + c.numLayers() + " layers");
    }
  }

  /** Loads this rank's shard; with {@code int8} the matrices are quantized per row as they load. */
  public static ShardWeights load(ModelFolder f, RankSpec rank, boolean int8) {
    return load(f, rank, int8 ? WeightType.INT8 : WeightType.FLOAT32);
  }

  /**
   * Loads this rank's shard with its weight matrices held as {@code type} says ({@code AUTO}: as each tensor is
   * stored in the checkpoint). Norms, biases and the input embedding are float32.
   */
  public static ShardWeights load(ModelFolder f, RankSpec rank, WeightType type) {
    ModelConfig c = f.config();
    checkSplittable(c, rank.tpSize(), rank.ppSize());
    int t = rank.tpSize();
    int r = rank.tpRank();
    int hd = c.headDim();
    int h = c.hiddenSize();
    int heads = c.numHeads() / t;
    int kvHeads = c.numKvHeads() / t;
    int inter = c.intermediateSize() / t;
    int l0 = rank.layerStart(c.numLayers());
    int l1 = rank.layerEnd(c.numLayers());
    F32Matrix embed = rank.firstStage()
        ? new F32Matrix(c.vocabSize(), h, f.read(LlamaTensorNames.EMBED)) : null;
    List<Layer> layers = new ArrayList<>();
    Family fam = c.family();
    for (int i = l0; i < l1; i++) {
      boolean bias = c.attentionBias();
      Matrix wq;
      Matrix wk;
      Matrix wv;
      Matrix wGate;
      Matrix wUp;
      if (fam.fusedProjections()) { // Phi-3: rows [q | k | v] and [gate | up]
        String qkv = attn(i, "qkv_proj", "weight");
        wq = rows(f, qkv, r * heads * hd, heads * hd, h, type);
        wk = rows(f, qkv, c.qDim() + r * kvHeads * hd, kvHeads * hd, h, type);
        wv = rows(f, qkv, c.qDim() + c.kvDim() + r * kvHeads * hd, kvHeads * hd, h, type);
        String gateUp = mlp(i, "gate_up_proj");
        wGate = rows(f, gateUp, r * inter, inter, h, type);
        wUp = rows(f, gateUp, c.intermediateSize() + r * inter, inter, h, type);
      } else {
        wq = rows(f, attn(i, "q_proj", "weight"), r * heads * hd, heads * hd, h, type);
        wk = rows(f, attn(i, "k_proj", "weight"), r * kvHeads * hd, kvHeads * hd, h, type);
        wv = rows(f, attn(i, "v_proj", "weight"), r * kvHeads * hd, kvHeads * hd, h, type);
        wGate = rows(f, mlp(i, "gate_proj"), r * inter, inter, h, type);
        wUp = rows(f, mlp(i, "up_proj"), r * inter, inter, h, type);
      }
      boolean sandwich = fam.sandwichNorms();
      layers.add(new Layer(
          norm(f, LlamaTensorNames.inputNorm(i), fam),
          wq, wk, wv,
          bias ? f.readRows(attn(i, "q_proj", "bias"), r * heads * hd, heads * hd) : null,
          bias ? f.readRows(attn(i, "k_proj", "bias"), r * kvHeads * hd, kvHeads * hd) : null,
          bias ? f.readRows(attn(i, "v_proj", "bias"), r * kvHeads * hd, kvHeads * hd) : null,
          cols(f, attn(i, "o_proj", "weight"), r * heads * hd, heads * hd, h, type),
          norm(f, sandwich ? LlamaTensorNames.preFeedforwardNorm(i) : LlamaTensorNames.postNorm(i), fam),
          wGate, wUp,
          cols(f, mlp(i, "down_proj"), r * inter, inter, h, type),
          fam.qkNorm() ? norm(f, LlamaTensorNames.qkNorm(i, "q_norm"), fam) : null,
          fam.qkNorm() ? norm(f, LlamaTensorNames.qkNorm(i, "k_norm"), fam) : null,
          sandwich ? norm(f, LlamaTensorNames.postNorm(i), fam) : null,
          sandwich ? norm(f, LlamaTensorNames.postFeedforwardNorm(i), fam) : null));
    }
    float[] finalNorm = null;
    Matrix lmHead = null;
    int vocabStart = 0;
    if (rank.lastStage()) {
      finalNorm = norm(f, LlamaTensorNames.FINAL_NORM, fam);
      vocabStart = (int) ((long) c.vocabSize() * r / t);
      int vocabEnd = (int) ((long) c.vocabSize() * (r + 1) / t);
      String head = c.tieWordEmbeddings() || !f.has(LlamaTensorNames.LM_HEAD)
          ? LlamaTensorNames.EMBED : LlamaTensorNames.LM_HEAD;
      lmHead = rows(f, head, vocabStart, vocabEnd - vocabStart, h, type);
    }
    return new ShardWeights(c, rank, l0, heads, kvHeads, inter, embed, List.copyOf(layers), finalNorm, lmHead,
        vocabStart);
  }

  /** An RMSNorm weight; Gemma stores it as an offset from one, which is folded in here. */
  private static float[] norm(ModelFolder f, String name, Family fam) {
    float[] w = f.read(name);
    if (fam.normPlusOne()) {
      for (int i = 0; i < w.length; i++) {
        w[i] += 1f;
      }
    }
    return w;
  }

  private static Matrix rows(ModelFolder f, String name, int start, int count, int cols, WeightType type) {
    return matrix(f.readRows(name, start, count), count, cols, type.resolve(f.stored(name)));
  }

  private static Matrix cols(ModelFolder f, String name, int start, int count, int rows, WeightType type) {
    boolean all = start == 0 && count == f.shape(name)[1];
    float[] w = all ? f.readRows(name, 0, rows) : f.readColumns(name, start, count);
    return matrix(w, rows, count, type.resolve(f.stored(name)));
  }

  private static Matrix matrix(float[] w, int rows, int cols, WeightType type) {
    return switch (type) {
      case INT8 -> Q8Matrix.quantize(rows, cols, w);
      case BFLOAT16 -> Half16Matrix.of(rows, cols, w, true);
      case FLOAT16 -> Half16Matrix.of(rows, cols, w, false);
      case FLOAT32, AUTO -> new F32Matrix(rows, cols, w);
    };
  }

  /** Bytes this shard holds in memory: weight matrices as stored, plus the float32 embedding, norms and biases. */
  public long memoryBytes() {
    long b = bytesPerToken() + (embed == null ? 0 : embed.bytes())
        + 4L * (finalNorm == null ? 0 : finalNorm.length);
    for (Layer l : layers) {
      b += 4L * (len(l.inputNorm()) + len(l.postNorm()) + len(l.bq()) + len(l.bk()) + len(l.bv()) + len(l.qNorm())
          + len(l.kNorm()) + len(l.attnOutNorm()) + len(l.mlpOutNorm()));
    }
    return b;
  }

  private static long len(float[] a) {
    return a == null ? 0 : a.length;
  }

  /** Bytes of weights read per forward pass of one token (the decode memory traffic). */
  public long bytesPerToken() {
    long b = lmHead == null ? 0 : lmHead.bytes();
    for (Layer l : layers) {
      b += l.wq().bytes() + l.wk().bytes() + l.wv().bytes() + l.wo().bytes() + l.wGate().bytes() + l.wUp().bytes()
          + l.wDown().bytes();
    }
    return b;
  }
}
