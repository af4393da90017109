package io.troupe.serve.config;

import io.troupe.serve.api.ServeException;

/**
 * The config file is malformed or invalid. The message starts with the path of the offending key
 * ({@code applications[0].deployments[1].num_replicas: expected an integer, got "two"}); nothing of
 * the config was applied.
 */
public final class ServeConfigException extends ServeException {
  private final String path;

  public ServeConfigException(String path, String problem) {
    super(path.isEmpty() ? problem : path + ": " + problem);
    this.path = path;
  }

  /** Path of the offending key, empty for the document itself. */
  public String path() {
    return path;
  }
}
