package io.troupe.llm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.troupe.llm.model.gguf.GgufModel;

/**
 * A model: a Hugging Face folder ({@code config.json} and either {@code model.safetensors} or shards listed in
 * {@code model.safetensors.index.json}), or a llama.cpp GGUF file (the path of the {@code .gguf} file, or a folder
 * holding exactly one and no safetensors). Tensors are looked up by Hugging Face name either way; a GGUF file
 * gives the same views ({@link GgufModel}).
 *
 * <p>Thread-safe after construction (reads map their own regions). Close it to release the files.
 */
public final class ModelFolder implements AutoCloseable {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private final Path dir;
  private final ModelConfig config;
  private final Map<String, SafetensorsFile> byTensor;
  private final Map<String, SafetensorsFile> files;
  private final GgufModel gguf; // null for safetensors

  private ModelFolder(Path dir, GgufModel gguf) {
    this.dir = dir;
    this.config = gguf.config();
    this.byTensor = Map.of();
    this.files = Map.of();
    this.gguf = gguf;
  }

  private ModelFolder(Path dir, ModelConfig config, Map<String, SafetensorsFile> byTensor,
                      Map<String, SafetensorsFile> files) {
    this.dir = dir;
    this.config = config;
    this.byTensor = byTensor;
    this.files = files;
    this.gguf = null;
  }

  /** The GGUF file a model path names: the path itself, or the only .gguf in a folder without safetensors. */
  public static Optional<Path> ggufFile(Path path) {
    if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".gguf")) {
      return Optional.of(path);
    }
    if (!Files.isDirectory(path) || Files.exists(path.resolve(SINGLE_FILE)) || Files.exists(path.resolve(INDEX_FILE))) {
      return Optional.empty();
    }
    try (var s = Files.list(path)) {
      List<Path> ggufs = s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
      if (ggufs.size() > 1) {
        throw new IllegalArgumentException(path + " holds several .gguf files " + ggufs
            + "; name the one to serve as the model path");
      }
      return ggufs.stream().findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
  }

  /** Opens the folder, reading config.json and the safetensors headers. */
  public static ModelFolder open(Path dir) {
    Optional<Path> g = ggufFile(dir);
    if (g.isPresent()) {
      return new ModelFolder(dir, GgufModel.open(g.get()));
    }
    ModelConfig config = ModelConfig.read(dir);
    Map<String, SafetensorsFile> files = new LinkedHashMap<>();
    Map<String, SafetensorsFile> byTensor = new HashMap<>();
    try {
      Path index = dir.resolve(INDEX_FILE);
      if (Files.exists(index)) {
        JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        if (map == null) {
          throw new IllegalArgumentException(index + " has no weight_map");
        }
        for (var it = map.fields(); it.hasNext(); ) {
          var e = it.next();
          String fileName = e.getValue().asText();
          SafetensorsFile f = files.computeIfAbsent(fileName, n -> SafetensorsFile.open(dir.resolve(n)));
          f.info(e.getKey()); // the index must agree with the shard
          byTensor.put(e.getKey(), f);
        }
      } else if (Files.exists(dir.resolve(SINGLE_FILE))) {
        SafetensorsFile f = SafetensorsFile.open(dir.resolve(SINGLE_FILE));
        files.put(SINGLE_FILE, f);
        f.tensors().keySet().forEach(n -> byTensor.put(n, f));
      } else {
        throw new IllegalArgumentException("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + dir);
      }
    } catch (IOException e) {
      files.values().forEach(SafetensorsFile::close);
      throw new UncheckedIOException("cannot read model index in " + dir, e);
    } catch (RuntimeException e) {
      files.values().forEach(SafetensorsFile::close);
      throw e;
    }
    return new ModelFolder(dir, config, Map.copyOf(byTensor), files);
  }

  public Path dir() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  public boolean has(String tensor) {
    return gguf != null ? gguf.has(tensor) : byTensor.containsKey(tensor);
  }

  /** The safetensors entry of a tensor (not for GGUF models: use {@link #shape} and {@link #stored}). */
  public TensorInfo info(String tensor) {
    if (gguf != null) {
      throw new UnsupportedOperationException("a GGUF model has no safetensors entries; use shape()/stored()");
    }
    return file(tensor).info(tensor);
  }

  /** The Hugging Face shape of a tensor ({@code [rows, cols]} for matrices). */
  public long[] shape(String tensor) {
    return gguf != null ? gguf.shape(tensor) : info(tensor).shape();
  }

  /** How the checkpoint stores a tensor, as the weight type {@code dtype: auto} keeps it in. */
  public WeightType stored(String tensor) {
    return gguf != null ? gguf.stored(tensor) : WeightType.AUTO.resolve(info(tensor).dtype());
  }

  /** Whether the model is a GGUF file. */
  public boolean isGguf() {
    return gguf != null;
  }

  public float[] read(String tensor) {
    return gguf != null ? gguf.read(tensor) : file(tensor).read(tensor);
  }

  public float[] readRows(String tensor, int start, int count) {
    return gguf != null ? gguf.readRows(tensor, start, count) : file(tensor).readRows(tensor, start, count);
  }

  public float[] readColumns(String tensor, int start, int count) {
    return gguf != null ? gguf.readColumns(tensor, start, count) : file(tensor).readColumns(tensor, start, count);
  }

  /** Number of safetensors files. */
  public int fileCount() {
    return files.size();
  }

  private SafetensorsFile file(String tensor) {
    SafetensorsFile f = byTensor.get(tensor);
    if (f == null) {
      throw new IllegalArgumentException("model in " + dir + " has no tensor " + tensor);
    }
    return f;
  }

  @Override
  public void close() {
    if (gguf != null) {
      gguf.close();
    }
    files.values().forEach(SafetensorsFile::close);
  }
}
