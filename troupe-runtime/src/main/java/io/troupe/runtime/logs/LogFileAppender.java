package io.troupe.runtime.logs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;

/**
 * The logback appender behind the per-node and per-actor log files ({@link NodeLogs}). An event logged while actor
 * code runs carries the MDC key {@link #FILE_KEY} (set by the node around every constructor and method call) and
 * goes to that actor's file; any other event goes to {@code node.log} of every node of this JVM (one, outside
 * tests). Each line: time, level, {@code [actor_id request_id error_id]} when the MDC has them, logger, message,
 * stack trace. Files rotate at {@link #MAX_BYTES} keeping {@link #BACKUPS} old ones.
 *
 * <p>There is one per logback context (attached to the root logger by {@link #install()}, as logging is per JVM);
 * nodes add and remove their directories. Thread-safe.
 */
public final class LogFileAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  /** MDC key: absolute path of the log file of the actor whose code runs on this thread. */
  public static final String FILE_KEY = "troupe.log_file";
  public static final String ACTOR_KEY = "actor_id";
  public static final String REQUEST_KEY = "request_id";
  public static final String ERROR_KEY = "error_id";
  public static final long MAX_BYTES = 10L << 20;
  public static final int BACKUPS = 5;
  static final String NAME = "TROUPE_FILES";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private final Map<Path, RotatingLogFile> files = new ConcurrentHashMap<>();
  private final Set<Path> nodeLogs = ConcurrentHashMap.newKeySet();

  /** The appender of this JVM's logback context, attached to the root logger; empty when SLF4J is not on logback. */
  public static synchronized Optional<LogFileAppender> install() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return Optional.empty();
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root.getAppender(NAME) instanceof LogFileAppender a) {
      return Optional.of(a);
    }
    LogFileAppender a = new LogFileAppender();
    a.setName(NAME);
    a.setContext(context);
    a.start();
    root.addAppender(a);
    return Optional.of(a);
  }

  /** Starts writing this JVM's non-actor events to {@code logs}' {@code node.log}. */
  public void addNode(NodeLogs logs) {
    nodeLogs.add(logs.dir().resolve(NodeLogs.NODE_LOG));
  }

  /** Stops writing to {@code logs} and closes its open files. */
  public void removeNode(NodeLogs logs) {
    nodeLogs.remove(logs.dir().resolve(NodeLogs.NODE_LOG));
    files.keySet().removeIf(p -> {
      if (p.startsWith(logs.dir())) {
        closeQuietly(files.get(p));
        return true;
      }
      return false;
    });
  }

  /** Closes an actor's file (the actor stopped); a later event reopens it. */
  public void release(Path file) {
    RotatingLogFile f = files.remove(file);
    closeQuietly(f);
  }

  @Override
  protected void append(ILoggingEvent e) {
    Map<String, String> mdc = e.getMDCPropertyMap();
    String target = mdc.get(FILE_KEY);
    String line = format(e, mdc);
    if (target != null) {
      write(Path.of(target), line);
    } else {
      for (Path p : nodeLogs) {
        write(p, line);
      }
    }
  }

  private void write(Path path, String line) {
    try {
      files.computeIfAbsent(path, p -> new RotatingLogFile(p, MAX_BYTES, BACKUPS)).append(line);
    } catch (IOException ex) {
      addError("cannot write " + path, ex);
    }
  }

  static String format(ILoggingEvent e, Map<String, String> mdc) {
    StringBuilder b = new StringBuilder(160);
    b.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ');
    String level = e.getLevel().toString();
    b.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
    StringBuilder ids = new StringBuilder();
    for (String k : new String[] {ACTOR_KEY, REQUEST_KEY, ERROR_KEY}) {
      String v = mdc.get(k);
      if (v != null) {
        ids.append(ids.isEmpty() ? "" : " ").append(k).append('=').append(v);
      }
    }
    if (!ids.isEmpty()) {
      b.append('[').append(ids).append("] ");
    }
    String logger = e.getLoggerName();
    b.append(logger.substring(logger.lastIndexOf('.') + 1)).append(" - ").append(e.getFormattedMessage()).append('\n');
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      b.append(ThrowableProxyUtil.asString(t)).append('\n');
    }
    return b.toString();
  }

  @Override
  public void stop() {
    files.values().forEach(LogFileAppender::closeQuietly);
    files.clear();
    super.stop();
  }

  private static void closeQuietly(RotatingLogFile f) {
    if (f != null) {
      try {
        f.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
