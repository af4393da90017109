package io.troupe.runtime.autoscaler.spi;

/** A provider could not launch or terminate a node; the message says why and what to fix. */
public class NodeLaunchException extends Exception {
  public NodeLaunchException(String message) {
    super(message);
  }

  public NodeLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
