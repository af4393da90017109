package io.troupe.runtime.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only log file that rotates by size: when a write would take {@code file} past {@code maxBytes}, it
 * becomes {@code file.1} ({@code file.1} becomes {@code file.2}, ... up to {@code backups}; the oldest is
 * deleted) and a new {@code file} starts. Thread-safe (writes are serialised on this object).
 */
public final class RotatingLogFile implements AutoCloseable {
  private final Path file;
  private final long maxBytes;
  private final int backups;
  private OutputStream out;
  private long size;

  public RotatingLogFile(Path file, long maxBytes, int backups) {
    if (maxBytes <= 0 || backups < 0) {
      throw new IllegalArgumentException("maxBytes must be > 0 and backups >= 0");
    }
    this.file = file;
    this.maxBytes = maxBytes;
    this.backups = backups;
  }

  public Path file() {
    return file;
  }

  /** Appends {@code text} (one or more whole lines), rotating first when it would not fit. */
  public synchronized void append(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (out == null) {
      open();
    }
    if (size > 0 && size + bytes.length > maxBytes) {
      rotate();
    }
    out.write(bytes);
    out.flush();
    size += bytes.length;
  }

  private void open() throws IOException {
    Files.createDirectories(file.getParent());
    out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    size = Files.size(file);
  }

  private void rotate() throws IOException {
    out.close();
    out = null;
    if (backups == 0) {
      Files.deleteIfExists(file);
    } else {
      Files.deleteIfExists(backup(backups));
      for (int i = backups - 1; i >= 1; i--) {
        if (Files.exists(backup(i))) {
          Files.move(backup(i), backup(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(file, backup(1), StandardCopyOption.REPLACE_EXISTING);
    }
    open();
  }

  private Path backup(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
