package io.troupe.llm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Shapes and hyper-parameters of a Llama-family model, read from a Hugging Face {@code config.json}.
 * Immutable value; safe to share between threads.
 *
 * @param hiddenSize       d_model
 * @param intermediateSize MLP width
 * @param numLayers        decoder layers
 * @param numHeads         query heads
 * @param numKvHeads       key/value heads (grouped-query attention when fewer than numHeads)
 * @param headDim          width of one head (config {@code head_dim}, else hidden/heads)
 * @param vocabSize        rows of the embedding and the LM head
 * @param maxPositions     {@code max_position_embeddings}
 * @param rmsNormEps       epsilon of RMSNorm
 * @param ropeTheta        RoPE base
 * @param ropeScaling      Llama-3 style rope scaling, or null
 * @param tieWordEmbeddings LM head shares the embedding matrix
 * @param attentionBias    q/k/v projections have a bias (Qwen2)
 * @param bosTokenId       begin-of-sequence id or -1
 * @param eosTokenIds      end-of-sequence ids (may be empty)
 * @param modelType        {@code model_type}, e.g. "llama" or "qwen2"
 * @param torchDtype       {@code torch_dtype} as written, e.g. "bfloat16"
 * @param arch             the family and its own hyper-parameters (sliding window, soft-caps...)
 */
public record ModelConfig(
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int vocabSize,
    int maxPositions,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    int bosTokenId,
    List<Integer> eosTokenIds,
    String modelType,
    String torchDtype,
    Architecture arch) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * RoPE scaling: {@code llama3} (low frequencies divided by {@code factor}, a smooth band between) or
   * {@code linear} (all frequencies divided by {@code factor}, as Gemma 3 does on its global layers).
   */
  public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                            int originalMaxPositions) {
    public RopeScaling {
      if (!type.equals("llama3") && !type.equals("linear")) {
        throw new IllegalArgumentException("unsupported rope_scaling type '" + type + "' (supported: llama3, linear)");
      }
      if (factor <= 0) {
        throw new IllegalArgumentException("rope_scaling factor must be positive, got " + factor);
      }
    }

    /** Llama-3 scaling. */
    public RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
      this("llama3", factor, lowFreqFactor, highFreqFactor, originalMaxPositions);
    }
  }

  /** A config of the family named by {@code modelType}, with that family's plain defaults (no window, no caps). */
  public ModelConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads, int headDim,
                     int vocabSize, int maxPositions, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
                     boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId, List<Integer> eosTokenIds,
                     String modelType, String torchDtype) {
    this(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize, maxPositions, rmsNormEps,
        ropeTheta, ropeScaling, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenIds, modelType, torchDtype,
        Architecture.plain(Family.of(modelType, List.of())));
  }

  public ModelConfig {
    if (hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0 || vocabSize <= 0) {
      throw new IllegalArgumentException("model shapes must be positive");
    }
    if (numKvHeads <= 0 || numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException("num_attention_heads " + numHeads
          + " must be a multiple of num_key_value_heads " + numKvHeads);
    }
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be positive and even, got " + headDim);
    }
    eosTokenIds = List.copyOf(eosTokenIds);
    Objects.requireNonNull(modelType, "modelType");
    Objects.requireNonNull(torchDtype, "torchDtype");
    Objects.requireNonNull(arch, "arch");
    if (!arch.family().modelType().equals(modelType)) {
      throw new IllegalArgumentException("model_type '" + modelType + "' does not match family " + arch.family());
    }
    if (!arch.slidingLayers().isEmpty() && arch.slidingLayers().size() != numLayers) {
      throw new IllegalArgumentException("layer_types has " + arch.slidingLayers().size() + " entries for "
          + numLayers + " layers");
    }
  }

  /** The model family. */
  public Family family() {
    return arch.family();
  }

  /** This config with another architecture (same family). */
  public ModelConfig withArch(Architecture a) {
    return new ModelConfig(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
        maxPositions, rmsNormEps, ropeTheta, ropeScaling, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenIds,
        modelType, torchDtype, a);
  }

  /** This config with another {@code torch_dtype}. */
  public ModelConfig withTorchDtype(String dtype) {
    return new ModelConfig(hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
        maxPositions, rmsNormEps, ropeTheta, ropeScaling, tieWordEmbeddings, attentionBias, bosTokenId, eosTokenIds,
        modelType, dtype, arch);
  }

  /** Width of all key (or value) heads together. */
  public int kvDim() {
    return numKvHeads * headDim;
  }

  /** Width of all query heads together. */
  public int qDim() {
    return numHeads * headDim;
  }

  /** Number of parameters, counting a tied LM head once. */
  public long parameterCount() {
    long perLayer = (long) hiddenSize * qDim() + 2L * hiddenSize * kvDim() + (long) qDim() * hiddenSize
        + 3L * hiddenSize * intermediateSize + (family().sandwichNorms() ? 4L : 2L) * hiddenSize
        + (family().qkNorm() ? 2L * headDim : 0);
    if (attentionBias) {
      perLayer += qDim() + 2L * kvDim();
    }
    long embed = (long) vocabSize * hiddenSize;
    return perLayer * numLayers + embed + (tieWordEmbeddings ? 0 : embed) + hiddenSize;
  }

  /** Reads {@code config.json} from a model folder (or the file itself). */
  public static ModelConfig read(Path folderOrFile) {
    Path file = Files.isDirectory(folderOrFile) ? folderOrFile.resolve("config.json") : folderOrFile;
    try {
      return fromJson(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model config " + file, e);
    }
  }

  /**
   * Parses a config.json tree; missing optional keys take the Hugging Face defaults of the family. Refuses model
   * types, activations and options the engine does not implement, naming what is supported.
   */
  public static ModelConfig fromJson(JsonNode n) {
    return ConfigReader.read(n);
  }

  /** The config.json tree for this config (Hugging Face key names). */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.putArray("architectures").add(family().architecture());
    n.put("model_type", modelType);
    n.put("hidden_size", hiddenSize);
    n.put("intermediate_size", intermediateSize);
    n.put("num_hidden_layers", numLayers);
    n.put("num_attention_heads", numHeads);
    n.put("num_key_value_heads", numKvHeads);
    n.put("head_dim", headDim);
    n.put("vocab_size", vocabSize);
    n.put("max_position_embeddings", maxPositions);
    n.put("rms_norm_eps", rmsNormEps);
    n.put("rope_theta", ropeTheta);
    if (ropeScaling == null) {
      n.putNull("rope_scaling");
    } else {
      ObjectNode rs = n.putObject("rope_scaling");
      rs.put("rope_type", ropeScaling.type());
      rs.put("factor", ropeScaling.factor());
      rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
      rs.put("high_freq_factor", ropeScaling.highFreqFactor());
      rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
    }
    n.put("tie_word_embeddings", tieWordEmbeddings);
    n.put("attention_bias", attentionBias);
    if (family().gelu()) {
      n.put("hidden_activation", "gelu_pytorch_tanh");
    } else {
      n.put("hidden_act", "silu");
    }
    ConfigReader.writeArch(arch, n);
    if (bosTokenId >= 0) {
      n.put("bos_token_id", bosTokenId);
    }
    if (eosTokenIds.size() == 1) {
      n.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      ArrayNode a = n.putArray("eos_token_id");
      eosTokenIds.forEach(a::add);
    }
    n.put("torch_dtype", torchDtype);
    return n;
  }

  /** Writes {@code config.json} into a folder. */
  public void write(Path folder) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(folder.resolve("config.json").toFile(), toJson());
  }

  static int req(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToInt()) {
      throw new IllegalArgumentException("config.json lacks integer '" + key + "'");
    }
    return v.asInt();
  }
}
