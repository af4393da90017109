package io.troupe.runtime.control;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.troupe.runtime.api.PlacementGroupId;
import io.troupe.runtime.api.TroupeException;
import io.troupe.runtime.placement.PersistedGroup;
import io.troupe.runtime.placement.PlacementGroupStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@link ControlStore} in a directory: {@code actors/<id>.json}, {@code groups/<id>.json},
 * {@code nodes.json}. Each write goes to a temporary file that is then atomically renamed, so a
 * head killed mid-write leaves the previous version, never a torn file. Owner thread only.
 */
public final class FileControlStore implements ControlStore {
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module())
      .registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path actors;
  private final Path groups;
  private final Path nodes;
  private final Path kv;

  public FileControlStore(Path dir) {
    this.actors = dir.resolve("actors");
    this.groups = dir.resolve("groups");
    this.nodes = dir.resolve("nodes.json");
    this.kv = dir.resolve("kv");
    try {
      Files.createDirectories(kv);
      Files.createDirectories(actors);
      Files.createDirectories(groups);
    } catch (IOException e) {
      throw new TroupeException("cannot use state directory " + dir + ": " + e.getMessage()
          + " (pass a writable --state-dir)");
    }
  }

  @Override
  public void saveActor(ActorSnapshot actor) {
    write(actors.resolve(actor.spec().id().value() + ".json"), actor);
  }

  @Override
  public List<ActorSnapshot> loadActors() {
    List<ActorSnapshot> out = new ArrayList<>(readAll(actors, ActorSnapshot.class));
    out.sort(Comparator.comparingLong(ActorSnapshot::seq));
    return out;
  }

  @Override
  public PlacementGroupStore groups() {
    return new PlacementGroupStore() {
      @Override
      public void save(PersistedGroup group) {
        write(groups.resolve(group.id().value() + ".json"), group);
      }

      @Override
      public void delete(PlacementGroupId id) {
        try {
          Files.deleteIfExists(groups.resolve(id.value() + ".json"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public List<PersistedGroup> loadAll() {
        return readAll(groups, PersistedGroup.class);
      }
    };
  }

  @Override
  public void saveKv(String key, byte[] value) {
    Path file = kv.resolve(encode(key));
    try {
      if (value == null) {
        Files.deleteIfExists(file);
        return;
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist key " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public java.util.Map<String, byte[]> loadKv() {
    java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.list(kv)) {
      for (Path f : files.filter(p -> !p.toString().endsWith(".tmp")).toList()) {
        out.put(decode(f.getFileName().toString()), Files.readAllBytes(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the key-value store in " + kv + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static String encode(String key) {
    return java.util.HexFormat.of().formatHex(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String decode(String file) {
    return new String(java.util.HexFormat.of().parseHex(file), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void saveNodeAddresses(Set<String> addresses) {
    write(nodes, new TreeSet<>(addresses));
  }

  @Override
  public Set<String> loadNodeAddresses() {
    if (!Files.exists(nodes)) {
      return Set.of();
    }
    try {
      return JSON.readValue(nodes.toFile(), new TypeReference<TreeSet<String>>() {});
    } catch (IOException e) {
      return Set.of();
    }
  }

  private static void write(Path file, Object value) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), value);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist " + file + ": " + e.getMessage(), e);
    }
  }

  private static <T> List<T> readAll(Path dir, Class<T> type) {
    List<T> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(JSON.readValue(f.toFile(), type));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read control state in " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }
}
