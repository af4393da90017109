package io.troupe.cli;

import io.troupe.runtime.autoscaler.ClusterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.ParameterException;

/** Reads and validates a cluster config file for {@code start --autoscaling-config}, {@code up} and {@code down}. */
final class ClusterConfigFile {
  private ClusterConfigFile() {
  }

  /** The parsed config; a missing or invalid file is a usage error naming the file and the problem. */
  static ClusterConfig read(Path file, Function<String, ParameterException> usage) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw usage.apply("cannot read the cluster config " + file + ": " + e.getMessage());
    }
    try {
      return ClusterConfig.parse(yaml);
    } catch (IllegalArgumentException e) {
      throw usage.apply(file + ": " + e.getMessage());
    }
  }
}
