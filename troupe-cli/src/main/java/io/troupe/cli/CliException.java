package io.troupe.cli;

/**
 * A failure to report as one line, {@code troupe: <message>}, with an exit code (1 unless said
 * otherwise). The message says what went wrong and how to fix it; no stack trace is printed.
 */
final class CliException extends RuntimeException {
  private final int exitCode;

  CliException(String message) {
    this(message, 1);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
