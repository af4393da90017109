package io.troupe.runtime.logs;

import io.troupe.runtime.api.ActorId;
import io.troupe.runtime.api.NodeId;
import io.troupe.runtime.api.TroupeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The log files of one node: {@code <troupe home>/logs/<node id>/}, holding {@code node.log} (what the node's JVM
 * logs outside actors) and one file per actor ({@code actor-<name>-<id>.log}, or {@code actor-<id>.log} for an
 * unnamed actor; a serve replica's name is its replica id), each rotated by size ({@code .1}, {@code .2}, ...).
 * Reads are by file name only (no paths), from an offset or the last lines. Stateless apart from the directory;
 * thread-safe.
 */
public final class NodeLogs {
  /** A file name this class serves: letters, digits and {@code . _ # -}, no path. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_#.-]{1,200}");
  /** Most bytes one read returns. */
  public static final int MAX_READ_BYTES = 1 << 20;
  public static final String NODE_LOG = "node.log";

  private final Path dir;

  public NodeLogs(Path dir) {
    this.dir = dir;
  }

  /** The directory of {@code node}'s logs under the troupe home. */
  public static NodeLogs forNode(NodeId node) {
    return new NodeLogs(home().resolve("logs").resolve(node.value()));
  }

  /** {@code -Dtroupe.home}, else {@code $TROUPE_HOME}, else {@code <tmp>/troupe-<user>}. */
  static Path home() {
    String home = System.getProperty("troupe.home");
    if (home == null || home.isBlank()) {
      home = System.getenv("TROUPE_HOME");
    }
    return home == null || home.isBlank()
        ? Path.of(System.getProperty("java.io.tmpdir"), "troupe-" + System.getProperty("user.name", "user"))
        : Path.of(home);
  }

  public Path dir() {
    return dir;
  }

  /** The file an actor logs to: its name (made file-safe) and id. */
  public Path actorFile(ActorId id, String name) {
    String safe = name == null || name.isBlank() ? "" : name.replaceAll("[^A-Za-z0-9_#.-]", "_") + "-";
    if (safe.length() > 150) {
      safe = safe.substring(0, 150) + "-";
    }
    return dir.resolve("actor-" + safe + id.value() + ".log");
  }

  /** A file of the listing. */
  public record FileInfo(String name, long size, long modifiedMillis) {}

  /** One read: {@code text} is bytes {@code [start, end)} of the file, which had {@code size} bytes then. */
  public record Chunk(String file, long start, long end, long size, String text) {}

  /** The files, newest first; {@code match} (may be null) keeps those whose name contains it. */
  public List<FileInfo> list(String match) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<FileInfo> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (NAME.matcher(n).matches() && (match == null || n.contains(match)) && Files.isRegularFile(f)) {
          out.add(new FileInfo(n, Files.size(f), Files.getLastModifiedTime(f).toMillis()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparingLong(FileInfo::modifiedMillis).reversed().thenComparing(FileInfo::name));
    return out;
  }

  /**
   * Reads {@code file}: from byte {@code offset} when it is ≥ 0 (for following), else its last {@code tailLines}
   * lines; at most {@code maxBytes} (capped at {@link #MAX_READ_BYTES}). An offset past the end (the file rotated)
   * reads from the start.
   */
  public Chunk read(String file, long offset, int tailLines, int maxBytes) {
    Path f = resolve(file);
    int max = Math.max(1, Math.min(maxBytes <= 0 ? MAX_READ_BYTES : maxBytes, MAX_READ_BYTES));
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      long size = raf.length();
      long start;
      if (offset >= 0) {
        start = offset > size ? 0 : offset;
      } else {
        start = tailStart(raf, size, Math.max(0, tailLines), max);
      }
      int len = (int) Math.min(max, size - start);
      byte[] buf = new byte[len];
      raf.seek(start);
      raf.readFully(buf);
      if (start + len < size) {
        // stop at the last whole line so that a follower's next read starts on a line
        int cut = len;
        while (cut > 0 && buf[cut - 1] != '\n') {
          cut--;
        }
        if (cut > 0) {
          len = cut;
        }
      }
      return new Chunk(file, start, start + len, size, new String(buf, 0, len, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long tailStart(RandomAccessFile raf, long size, int lines, int max) throws IOException {
    if (lines == 0) {
      return size;
    }
    long floor = Math.max(0, size - max);
    long pos = size;
    int seen = 0;
    byte[] buf = new byte[8192];
    while (pos > floor) {
      int n = (int) Math.min(buf.length, pos - floor);
      raf.seek(pos - n);
      raf.readFully(buf, 0, n);
      for (int i = n - 1; i >= 0; i--) {
        long at = pos - n + i;
        if (buf[i] == '\n' && at != size - 1) {
          if (++seen >= lines) {
            return at + 1;
          }
        }
      }
      pos -= n;
    }
    return floor;
  }

  private Path resolve(String file) {
    if (file == null || !NAME.matcher(file).matches() || file.startsWith(".")) {
      throw new TroupeException("not a log file name: '" + file + "' (names come from the listing: troupe logs --node ID)");
    }
    Path f = dir.resolve(file);
    if (!Files.isRegularFile(f)) {
      throw new TroupeException("no log file " + file + " in " + dir);
    }
    return f;
  }
}
