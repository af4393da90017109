package io.troupe.llm.model;

import io.troupe.llm.kernels.MatMul;
import io.troupe.llm.kernels.Matrix;
import io.troupe.llm.spi.RankTransport;
import io.troupe.llm.spi.SequenceChunk;
import java.util.List;

/**
 * The forward pass of one rank over a batch of sequence chunks: embedding (first stage), its decoder
 * layers with paged-KV attention, and final norm + its slice of the LM head (last stage). Tensor
 * parallel partial sums are combined with {@link RankTransport#allReduceSum} after attention and after
 * the MLP, and for the logits (each rank fills its vocabulary slice of a zeroed row).
 *
 * <p>Threading: one caller at a time (the rank's step thread); inner loops run on the {@link MatMul} pool.
 * The per-layer activations live in scratch arrays owned by this object, grown to the largest step seen
 * and reused by every layer and step; only the returned hidden states and logits are fresh arrays.
 */
public final class ShardForward {
  private final ShardWeights w;
  private final ModelConfig c;
  private final KvCache kv;
  private final MatMul mm;
  private final Rope rope;
  private final Rope localRope; // Gemma 3's sliding layers, else null
  private final Family family;
  /** Reused activations; each is overwritten in full (or zeroed) before it is read. */
  private float[] xn = new float[0];
  private float[] q = new float[0];
  private float[] k = new float[0];
  private float[] v = new float[0];
  private float[] att = new float[0];
  private float[] o = new float[0];
  private float[] g = new float[0];
  private float[] u = new float[0];

  public ShardForward(ShardWeights weights, KvCache kv, MatMul mm) {
    this.w = weights;
    this.c = weights.config();
    this.kv = kv;
    this.mm = mm;
    this.rope = new Rope(c);
    this.family = c.family();
    this.localRope = c.arch().localRopeTheta() > 0 ? Rope.local(c) : null;
  }

  public ShardWeights weights() {
    return w;
  }

  /** Hidden states {@code [tokens x hidden]} after this stage's layers; {@code in} is null on the first stage. */
  public float[] hidden(List<SequenceChunk> chunks, float[] in, RankTransport transport) {
    int n = 0;
    for (SequenceChunk ch : chunks) {
      n += ch.length();
    }
    int h = c.hiddenSize();
    int[] pos = new int[n];
    int[] chunkOf = new int[n];
    float[] x;
    if (in == null) {
      x = new float[n * h];
      float[] e = w.embed().data();
      int t = 0;
      for (int ci = 0; ci < chunks.size(); ci++) {
        SequenceChunk ch = chunks.get(ci);
        for (int j = 0; j < ch.length(); j++, t++) {
          int tok = ch.tokens()[j];
          if (tok < 0 || tok >= c.vocabSize()) {
            throw new IllegalArgumentException("token id " + tok + " outside vocabulary of " + c.vocabSize());
          }
          System.arraycopy(e, tok * h, x, t * h, h);
        }
      }
      if (family.scalesEmbedding()) {
        float scale = (float) Math.sqrt(h);
        for (int i = 0; i < n * h; i++) {
          x[i] *= scale;
        }
      }
    } else {
      if (in.length != n * h) {
        throw new IllegalArgumentException("activations of " + in.length + " floats, expected " + n * h);
      }
      x = in;
    }
    int t = 0;
    for (int ci = 0; ci < chunks.size(); ci++) {
      SequenceChunk ch = chunks.get(ci);
      for (int j = 0; j < ch.length(); j++, t++) {
        pos[t] = ch.startPos() + j;
        chunkOf[t] = ci;
      }
    }
    float[] cos = new float[n * rope.half()];
    float[] sin = new float[n * rope.half()];
    rope.tables(pos, cos, sin);
    float[] localCos = cos;
    float[] localSin = sin;
    if (localRope != null) {
      localCos = new float[n * rope.half()];
      localSin = new float[n * rope.half()];
      localRope.tables(pos, localCos, localSin);
    }
    ensureScratch(n);
    for (int l = 0; l < w.layers().size(); l++) {
      boolean sliding = c.arch().sliding(w.layerStart() + l);
      layer(l, w.layers().get(l), x, n, pos, chunkOf, chunks, sliding ? localCos : cos, sliding ? localSin : sin,
          sliding ? c.arch().slidingWindow() : 0, transport);
    }
    return x;
  }

  private void layer(int l, ShardWeights.Layer lw, float[] x, int n, int[] pos, int[] chunkOf,
                     List<SequenceChunk> chunks, float[] cos, float[] sin, int window, RankTransport transport) {
    int h = c.hiddenSize();
    int hd = c.headDim();
    int qd = w.localHeads() * hd;
    int kvd = w.localKvHeads() * hd;
    float[] xn = this.xn;
    float[] q = this.q;
    float[] k = this.k;
    float[] v = this.v;
    rmsNorm(x, lw.inputNorm(), xn, n, h);
    mm.matmul(lw.wq(), xn, h, n, q, qd, 0);
    mm.matmul(lw.wk(), xn, h, n, k, kvd, 0);
    mm.matmul(lw.wv(), xn, h, n, v, kvd, 0);
    float[] keys = kv.keys(l);
    float[] values = kv.values(l);
    for (int t = 0; t < n; t++) {
      addBias(q, t * qd, lw.bq());
      addBias(k, t * kvd, lw.bk());
      addBias(v, t * kvd, lw.bv());
      if (lw.qNorm() != null) {
        rmsNorm(q, t * qd, lw.qNorm(), w.localHeads(), hd);
        rmsNorm(k, t * kvd, lw.kNorm(), w.localKvHeads(), hd);
      }
      rope.apply(q, t * qd, w.localHeads(), cos, sin, t);
      rope.apply(k, t * kvd, w.localKvHeads(), cos, sin, t);
      int off = kv.offset(chunks.get(chunkOf[t]).blockTable(), pos[t]);
      System.arraycopy(k, t * kvd, keys, off, kvd);
      System.arraycopy(v, t * kvd, values, off, kvd);
    }
    float[] att = this.att;
    java.util.Arrays.fill(att, 0, n * qd, 0f);
    int group = w.localHeads() / w.localKvHeads();
    double scalar = c.arch().queryPreAttnScalar();
    float scale = (float) (1.0 / Math.sqrt(scalar > 0 ? scalar : hd));
    float cap = (float) c.arch().attnSoftcap();
    mm.parallelEach(n * w.localHeads(), i -> {
      int t = i / w.localHeads();
      int head = i % w.localHeads();
      int kvHead = head / group;
      int[] table = chunks.get(chunkOf[t]).blockTable();
      int len = pos[t] + 1;
      int first = window > 0 ? Math.max(0, len - window) : 0; // keys q - k < window
      float[] scores = new float[len];
      float max = Float.NEGATIVE_INFINITY;
      int qOff = t * qd + head * hd;
      for (int p = first; p < len; p++) {
        float s = mm.kernels().dot(q, qOff, keys, kv.offset(table, p) + kvHead * hd, hd) * scale;
        if (cap > 0) {
          s = cap * (float) Math.tanh(s / cap);
        }
        scores[p] = s;
        max = Math.max(max, s);
      }
      float sum = 0;
      for (int p = first; p < len; p++) {
        float e = (float) Math.exp(scores[p] - max);
        scores[p] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int p = first; p < len; p++) {
        mm.kernels().axpy(scores[p] * inv, values, kv.offset(table, p) + kvHead * hd, att, qOff, hd);
      }
    });
    float[] o = this.o;
    mm.matmul(lw.wo(), att, qd, n, o, h, 0);
    transport.allReduceSum(o, 0, n * h);
    if (lw.attnOutNorm() != null) {
      rmsNorm(o, lw.attnOutNorm(), o, n, h);
    }
    add(x, o, n * h);
    rmsNorm(x, lw.postNorm(), xn, n, h);
    int m = w.localIntermediate();
    float[] g = this.g;
    float[] u = this.u;
    mm.matmul(lw.wGate(), xn, h, n, g, m, 0);
    mm.matmul(lw.wUp(), xn, h, n, u, m, 0);
    boolean gelu = family.gelu();
    mm.parallelFor(n * m, 4096, (lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        float a = g[i];
        g[i] = (gelu ? geluTanh(a) : a / (1f + (float) Math.exp(-a))) * u[i];
      }
    });
    mm.matmul(lw.wDown(), g, m, n, o, h, 0);
    transport.allReduceSum(o, 0, n * h);
    if (lw.mlpOutNorm() != null) {
      rmsNorm(o, lw.mlpOutNorm(), o, n, h);
    }
    add(x, o, n * h);
  }

  /**
   * Full-vocabulary logits of the last token of every chunk with {@code wantLogits}, in chunk order.
   * Only on the last stage; every tp rank of it must call this (it all-reduces).
   */
  public float[][] logits(List<SequenceChunk> chunks, float[] hidden, RankTransport transport) {
    int h = c.hiddenSize();
    int want = 0;
    for (SequenceChunk ch : chunks) {
      want += ch.wantLogits() ? 1 : 0;
    }
    float[] last = new float[want * h];
    int t = 0;
    int i = 0;
    for (SequenceChunk ch : chunks) {
      t += ch.length();
      if (ch.wantLogits()) {
        System.arraycopy(hidden, (t - 1) * h, last, i * h, h);
        i++;
      }
    }
    float[] xn = new float[want * h];
    rmsNorm(last, w.finalNorm(), xn, want, h);
    int vocab = c.vocabSize();
    float[] all = new float[want * vocab];
    Matrix head = w.lmHead();
    mm.matmul(head, xn, h, want, all, vocab, w.vocabStart());
    if (transport.self().tpSize() > 1) {
      transport.allReduceSum(all, 0, all.length);
    }
    float cap = (float) c.arch().finalSoftcap();
    if (cap > 0) {
      for (int j = 0; j < all.length; j++) {
        all[j] = cap * (float) Math.tanh(all[j] / cap);
      }
    }
    float[][] out = new float[want][];
    for (int j = 0; j < want; j++) {
      out[j] = java.util.Arrays.copyOfRange(all, j * vocab, (j + 1) * vocab);
    }
    return out;
  }

  /** RMSNorm of {@code n} rows of width {@code h}; {@code out} may be {@code x}. */
  private void rmsNorm(float[] x, float[] weight, float[] out, int n, int h) {
    for (int t = 0; t < n; t++) {
      normRow(x, t * h, weight, out, h);
    }
  }

  /** In-place RMSNorm of {@code heads} consecutive heads of width {@code hd} from {@code off} (q/k norms). */
  private void rmsNorm(float[] x, int off, float[] weight, int heads, int hd) {
    for (int i = 0; i < heads; i++) {
      normRow(x, off + i * hd, weight, x, hd);
    }
  }

  private void normRow(float[] x, int off, float[] weight, float[] out, int h) {
    double ss = 0;
    for (int i = 0; i < h; i++) {
      float v = x[off + i];
      ss += v * v;
    }
    float inv = (float) (1.0 / Math.sqrt(ss / h + c.rmsNormEps()));
    for (int i = 0; i < h; i++) {
      out[off + i] = x[off + i] * inv * weight[i];
    }
  }

  /** GELU, tanh approximation (PyTorch's {@code gelu(approximate="tanh")}, Gemma's {@code gelu_pytorch_tanh}). */
  static float geluTanh(float a) {
    double x = a;
    return (float) (0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
  }

  private static void addBias(float[] x, int off, float[] b) {
    if (b != null) {
      for (int i = 0; i < b.length; i++) {
        x[off + i] += b[i];
      }
    }
  }

  /** Grows the scratch arrays to hold {@code n} tokens. */
  private void ensureScratch(int n) {
    int h = c.hiddenSize();
    int qd = w.localHeads() * c.headDim();
    int kvd = w.localKvHeads() * c.headDim();
    int m = w.localIntermediate();
    if (xn.length < n * h) {
      xn = new float[n * h];
      o = new float[n * h];
    }
    if (q.length < n * qd) {
      q = new float[n * qd];
      att = new float[n * qd];
    }
    if (k.length < n * kvd) {
      k = new float[n * kvd];
      v = new float[n * kvd];
    }
    if (g.length < n * m) {
      g = new float[n * m];
      u = new float[n * m];
    }
  }

  private static void add(float[] x, float[] y, int len) {
    for (int i = 0; i < len; i++) {
      x[i] += y[i];
    }
  }
}
