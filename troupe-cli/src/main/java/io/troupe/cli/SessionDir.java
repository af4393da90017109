package io.troupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CLI's bookkeeping on this machine: {@code <root>/session/nodes/<pid>.json} (one
 * {@link NodeRecord} per running node) and {@code <root>/session/logs/} (node logs). The root is
 * {@code $TROUPE_HOME} or {@code ~/.troupe}.
 *
 * <p>The files are the only shared state: every CLI invocation and every node process reads and
 * writes them independently. Records are written atomically (temp file + rename), so a reader sees
 * a whole record or none; a record whose process is gone is stale and {@link #liveNodes} removes it.
 */
public final class SessionDir {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;

  public SessionDir(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path nodesDir() {
    return root.resolve("session").resolve("nodes");
  }

  public Path logsDir() {
    return root.resolve("session").resolve("logs");
  }

  public Path recordFile(long pid) {
    return nodesDir().resolve(pid + ".json");
  }

  /** A fresh log file name for a node about to start, e.g. {@code logs/head-20250101-120000-1234.log}. */
  public Path newLogFile(String role) {
    String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    String name = role + "-" + ts + "-" + Long.toHexString(System.nanoTime() & 0xffffff) + ".log";
    createDirs(logsDir());
    return logsDir().resolve(name);
  }

  /** Writes (or replaces) the record atomically, readable by its owner only. */
  public void write(NodeRecord rec) {
    createDirs(nodesDir());
    Path target = recordFile(rec.pid());
    try {
      Path tmp = Files.createTempFile(nodesDir(), rec.pid() + "-", ".tmp");
      restrictToOwner(tmp);
      Files.write(tmp, JSON.writeValueAsBytes(rec));
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  public Optional<NodeRecord> read(long pid) {
    return readFile(recordFile(pid));
  }

  public void remove(long pid) {
    try {
      Files.deleteIfExists(recordFile(pid));
    } catch (IOException e) {
      // Best effort: a record that cannot be removed is stale and is removed by the next listing.
    }
  }

  /** All readable records, head first, then by pid; unreadable files are skipped. */
  public List<NodeRecord> records() {
    if (!Files.isDirectory(nodesDir())) {
      return List.of();
    }
    List<NodeRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(nodesDir())) {
      files.filter(p -> p.getFileName().toString().endsWith(".json"))
          .forEach(p -> readFile(p).ifPresent(out::add));
    } catch (IOException e) {
      return List.of();
    }
    out.sort(Comparator.comparing((NodeRecord r) -> !r.head()).thenComparingLong(NodeRecord::pid));
    return out;
  }

  /** Records whose process still runs; removes the stale ones. */
  public List<NodeRecord> liveNodes() {
    List<NodeRecord> live = new ArrayList<>();
    for (NodeRecord r : records()) {
      if (isAlive(r)) {
        live.add(r);
      } else {
        remove(r.pid());
      }
    }
    return live;
  }

  /** The live head started from this machine, if any. */
  public Optional<NodeRecord> liveHead() {
    return liveNodes().stream().filter(NodeRecord::head).findFirst();
  }

  /** True when the record's process runs and, where known, started when the record says. */
  static boolean isAlive(NodeRecord r) {
    return process(r).isPresent();
  }

  /** The record's process, unless it is gone or its pid now belongs to another process. */
  static Optional<ProcessHandle> process(NodeRecord r) {
    return ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive).filter(h -> {
      long started = h.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
      // Start times are reported with coarse precision on some systems: allow a little slack.
      return r.processStart() == 0 || started == 0 || Math.abs(started - r.processStart()) < 2_000;
    });
  }

  private static Optional<NodeRecord> readFile(Path p) {
    try {
      return Optional.of(JSON.readValue(p.toFile(), NodeRecord.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void createDirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void restrictToOwner(Path p) {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system: the file keeps the default permissions.
    }
  }
}
