package io.troupe.llm.model;

import java.nio.file.Path;

/**
 * Test oracle: the forward pass of every supported family written out with plain loops in double precision, over
 * the whole sequence at once (no KV cache, no batching, no sharding): Llama, Mistral (sliding window), Qwen2
 * (biases), Qwen3 (q/k norms), Gemma 2/3 (embedding scale, (1 + w) norms, four norms per layer, GeGLU, soft-caps,
 * sliding/global layers, local RoPE base), Phi-3 (fused projections, split here). Shares no compute code with the
 * engine; it only reuses the safetensors reader to get the numbers.
 */
public final class NaiveLlama {
  private final ModelConfig c;
  private final double[][] embed;
  private final double[][] lmHead;
  private final double[] finalNorm;
  private final double[][] inNorm;
  private final double[][] postNorm;
  private final double[][][] wq;
  private final double[][][] wk;
  private final double[][][] wv;
  private final double[][][] wo;
  private final double[][][] wg;
  private final double[][][] wu;
  private final double[][][] wd;
  private final double[][] bq;
  private final double[][] bk;
  private final double[][] bv;
  private final Family fam;
  private final double[][] qNorm;
  private final double[][] kNorm;
  private final double[][] preFfn;
  private final double[][] postFfn;

  public NaiveLlama(Path dir) {
    try (ModelFolder f = ModelFolder.open(dir)) {
      c = f.config();
      fam = c.family();
      int n = c.numLayers();
      qNorm = new double[n][];
      kNorm = new double[n][];
      preFfn = new double[n][];
      postFfn = new double[n][];
      embed = mat(f, LlamaTensorNames.EMBED);
      lmHead = c.tieWordEmbeddings() ? embed : mat(f, LlamaTensorNames.LM_HEAD);
      finalNorm = vec(f, LlamaTensorNames.FINAL_NORM);
      inNorm = new double[n][];
      postNorm = new double[n][];
      wq = new double[n][][];
      wk = new double[n][][];
      wv = new double[n][][];
      wo = new double[n][][];
      wg = new double[n][][];
      wu = new double[n][][];
      wd = new double[n][][];
      bq = new double[n][];
      bk = new double[n][];
      bv = new double[n][];
      for (int l = 0; l < n; l++) {
        inNorm[l] = vec(f, LlamaTensorNames.inputNorm(l));
        postNorm[l] = vec(f, LlamaTensorNames.postNorm(l));
        if (fam == Family.PHI3) {
          double[][] qkv = mat(f, LlamaTensorNames.attn(l, "qkv_proj", "weight"));
          wq[l] = java.util.Arrays.copyOfRange(qkv, 0, c.qDim());
          wk[l] = java.util.Arrays.copyOfRange(qkv, c.qDim(), c.qDim() + c.kvDim());
          wv[l] = java.util.Arrays.copyOfRange(qkv, c.qDim() + c.kvDim(), c.qDim() + 2 * c.kvDim());
          double[][] gu = mat(f, LlamaTensorNames.mlp(l, "gate_up_proj"));
          wg[l] = java.util.Arrays.copyOfRange(gu, 0, c.intermediateSize());
          wu[l] = java.util.Arrays.copyOfRange(gu, c.intermediateSize(), 2 * c.intermediateSize());
        } else {
          wq[l] = mat(f, LlamaTensorNames.attn(l, "q_proj", "weight"));
          wk[l] = mat(f, LlamaTensorNames.attn(l, "k_proj", "weight"));
          wv[l] = mat(f, LlamaTensorNames.attn(l, "v_proj", "weight"));
          wg[l] = mat(f, LlamaTensorNames.mlp(l, "gate_proj"));
          wu[l] = mat(f, LlamaTensorNames.mlp(l, "up_proj"));
        }
        wo[l] = mat(f, LlamaTensorNames.attn(l, "o_proj", "weight"));
        wd[l] = mat(f, LlamaTensorNames.mlp(l, "down_proj"));
        if (fam == Family.QWEN3 || fam == Family.GEMMA3) {
          qNorm[l] = vec(f, "model.layers." + l + ".self_attn.q_norm.weight");
          kNorm[l] = vec(f, "model.layers." + l + ".self_attn.k_norm.weight");
        }
        if (fam == Family.GEMMA2 || fam == Family.GEMMA3) {
          preFfn[l] = vec(f, "model.layers." + l + ".pre_feedforward_layernorm.weight");
          postFfn[l] = vec(f, "model.layers." + l + ".post_feedforward_layernorm.weight");
        }
        if (c.attentionBias()) {
          bq[l] = vec(f, LlamaTensorNames.attn(l, "q_proj", "bias"));
          bk[l] = vec(f, LlamaTensorNames.attn(l, "k_proj", "bias"));
          bv[l] = vec(f, LlamaTensorNames.attn(l, "v_proj", "bias"));
        }
      }
    }
  }

  private static double[] vec(ModelFolder f, String name) {
    float[] v = f.read(name);
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  private static double[][] mat(ModelFolder f, String name) {
    long[] shape = f.shape(name);
    float[] v = f.read(name);
    double[][] m = new double[(int) shape[0]][(int) shape[1]];
    for (int r = 0; r < shape[0]; r++) {
      for (int k = 0; k < shape[1]; k++) {
        m[r][k] = v[(int) (r * shape[1] + k)];
      }
    }
    return m;
  }

  private boolean gemma() {
    return fam == Family.GEMMA2 || fam == Family.GEMMA3;
  }

  /** Logits for every position of {@code tokens}: {@code [T][vocab]}. */
  public double[][] logits(int[] tokens) {
    int seq = tokens.length;
    int hd = c.headDim();
    double[][] x = new double[seq][];
    for (int t = 0; t < seq; t++) {
      x[t] = embed[tokens[t]].clone();
      if (gemma()) {
        for (int i = 0; i < x[t].length; i++) {
          x[t][i] *= Math.sqrt(c.hiddenSize());
        }
      }
    }
    Architecture a = c.arch();
    double scale = 1 / Math.sqrt(a.queryPreAttnScalar() > 0 ? a.queryPreAttnScalar() : hd);
    for (int l = 0; l < c.numLayers(); l++) {
      boolean sliding = a.slidingWindow() > 0 && !a.slidingLayers().isEmpty() && a.slidingLayers().get(l);
      double[] invFreq = sliding && a.localRopeTheta() > 0 ? plainInvFreq(a.localRopeTheta()) : invFreq();
      double[][] q = new double[seq][];
      double[][] k = new double[seq][];
      double[][] v = new double[seq][];
      for (int t = 0; t < seq; t++) {
        double[] xn = norm(x[t], inNorm[l]);
        q[t] = rope(headNorm(add(mul(wq[l], xn), bq[l]), qNorm[l]), t, invFreq);
        k[t] = rope(headNorm(add(mul(wk[l], xn), bk[l]), kNorm[l]), t, invFreq);
        v[t] = add(mul(wv[l], xn), bv[l]);
      }
      int group = c.numHeads() / c.numKvHeads();
      for (int t = 0; t < seq; t++) {
        double[] att = new double[c.numHeads() * hd];
        int first = sliding ? Math.max(0, t - a.slidingWindow() + 1) : 0;
        for (int h = 0; h < c.numHeads(); h++) {
          int kvh = h / group;
          double[] s = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int p = first; p <= t; p++) {
            double d = 0;
            for (int i = 0; i < hd; i++) {
              d += q[t][h * hd + i] * k[p][kvh * hd + i];
            }
            s[p] = d * scale;
            if (a.attnSoftcap() > 0) {
              s[p] = a.attnSoftcap() * Math.tanh(s[p] / a.attnSoftcap());
            }
            max = Math.max(max, s[p]);
          }
          double sum = 0;
          for (int p = first; p <= t; p++) {
            s[p] = Math.exp(s[p] - max);
            sum += s[p];
          }
          for (int p = first; p <= t; p++) {
            for (int i = 0; i < hd; i++) {
              att[h * hd + i] += s[p] / sum * v[p][kvh * hd + i];
            }
          }
        }
        double[] o = mul(wo[l], att);
        if (gemma()) {
          o = norm(o, postNorm[l]); // Gemma's post_attention_layernorm is on the attention output
        }
        for (int i = 0; i < o.length; i++) {
          x[t][i] += o[i];
        }
      }
      for (int t = 0; t < seq; t++) {
        double[] xn = norm(x[t], gemma() ? preFfn[l] : postNorm[l]);
        double[] g = mul(wg[l], xn);
        double[] u = mul(wu[l], xn);
        for (int i = 0; i < g.length; i++) {
          double z = g[i];
          double act = gemma() ? 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)))
              : z / (1 + Math.exp(-z));
          g[i] = act * u[i];
        }
        double[] d = mul(wd[l], g);
        if (gemma()) {
          d = norm(d, postFfn[l]);
        }
        for (int i = 0; i < d.length; i++) {
          x[t][i] += d[i];
        }
      }
    }
    double[][] out = new double[seq][];
    for (int t = 0; t < seq; t++) {
      out[t] = mul(lmHead, norm(x[t], finalNorm));
      if (a.finalSoftcap() > 0) {
        for (int i = 0; i < out[t].length; i++) {
          out[t][i] = a.finalSoftcap() * Math.tanh(out[t][i] / a.finalSoftcap());
        }
      }
    }
    return out;
  }

  private double[] plainInvFreq(double theta) {
    int half = c.headDim() / 2;
    double[] f = new double[half];
    for (int i = 0; i < half; i++) {
      f[i] = Math.pow(theta, -2.0 * i / c.headDim());
    }
    return f;
  }

  /** RMSNorm of each head of {@code x} with the shared [head_dim] weight; {@code w == null}: unchanged. */
  private double[] headNorm(double[] x, double[] w) {
    if (w == null) {
      return x;
    }
    int hd = c.headDim();
    double[] y = new double[x.length];
    for (int h = 0; h < x.length / hd; h++) {
      double[] head = norm(java.util.Arrays.copyOfRange(x, h * hd, (h + 1) * hd), w);
      System.arraycopy(head, 0, y, h * hd, hd);
    }
    return y;
  }

  private double[] invFreq() {
    int half = c.headDim() / 2;
    double[] f = new double[half];
    for (int i = 0; i < half; i++) {
      double base = Math.pow(c.ropeTheta(), -2.0 * i / c.headDim());
      var s = c.ropeScaling();
      if (s != null && s.type().equals("linear")) {
        f[i] = base / s.factor();
      } else if (s != null) {
        double wavelen = 2 * Math.PI / base;
        double lowW = s.originalMaxPositions() / s.lowFreqFactor();
        double highW = s.originalMaxPositions() / s.highFreqFactor();
        if (wavelen < highW) {
          f[i] = base;
        } else if (wavelen > lowW) {
          f[i] = base / s.factor();
        } else {
          double sm = (s.originalMaxPositions() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
          f[i] = (1 - sm) * base / s.factor() + sm * base;
        }
      } else {
        f[i] = base;
      }
    }
    return f;
  }

  private double[] rope(double[] x, int pos, double[] invFreq) {
    int hd = c.headDim();
    int half = hd / 2;
    double[] y = x.clone();
    for (int h = 0; h < x.length / hd; h++) {
      for (int i = 0; i < half; i++) {
        double cos = Math.cos(pos * invFreq[i]);
        double sin = Math.sin(pos * invFreq[i]);
        double a = x[h * hd + i];
        double b = x[h * hd + i + half];
        y[h * hd + i] = a * cos - b * sin;
        y[h * hd + i + half] = b * cos + a * sin;
      }
    }
    return y;
  }

  private double[] norm(double[] x, double[] w) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * inv * (gemma() ? 1 + w[i] : w[i]);
    }
    return y;
  }

  private static double[] mul(double[][] m, double[] x) {
    double[] y = new double[m.length];
    for (int r = 0; r < m.length; r++) {
      double s = 0;
      for (int i = 0; i < x.length; i++) {
        s += m[r][i] * x[i];
      }
      y[r] = s;
    }
    return y;
  }

  private static double[] add(double[] x, double[] b) {
    if (b != null) {
      for (int i = 0; i < x.length; i++) {
        x[i] += b[i];
      }
    }
    return x;
  }
}
