package io.troupe.llm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face model folder: {@code config.json} and either {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json}. Tensors are looked up by name across shards.
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

  private ModelFolder(Path dir, ModelConfig config, Map<String, SafetensorsFile> byTensor,
                      Map<String, SafetensorsFile> files) {
    this.dir = dir;
    this.config = config;
    this.byTensor = byTensor;
    this.files = files;
  }

  /** Opens the folder, reading config.json and the safetensors headers. */
  public static ModelFolder open(Path dir) {
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
    return byTensor.containsKey(tensor);
  }

  public TensorInfo info(String tensor) {
    return file(tensor).info(tensor);
  }

  public float[] read(String tensor) {
    return file(tensor).read(tensor);
  }

  public float[] readRows(String tensor, int start, int count) {
    return file(tensor).readRows(tensor, start, count);
  }

  public float[] readColumns(String tensor, int start, int count) {
    return file(tensor).readColumns(tensor, start, count);
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
    files.values().forEach(SafetensorsFile::close);
  }
}
