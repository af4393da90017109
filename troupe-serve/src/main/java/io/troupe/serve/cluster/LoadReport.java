package io.troupe.serve.cluster;

import java.io.Serializable;
import java.util.List;

/**
 * One node's autoscaling load report, sent every metrics interval by its {@link LoadReporter} to the
 * {@link RoutesActor} on the head (or straight to the controller on the head itself). Node-neutral and
 * Serializable. Immutable.
 *
 * @param entries one per deployment and reporter
 */
public record LoadReport(List<Entry> entries) implements Serializable {
  public LoadReport {
    entries = List.copyOf(entries);
  }

  /**
   * One reporter's load of one deployment.
   *
   * @param deployment {@code DeploymentId.toString()}
   * @param reporter {@code replica:<replica id>} (requests executing at that replica) or {@code caller:<node>}
   *     (requests waiting in that node's proxy and handles for a replica)
   * @param ongoingRequests the mean of the reporter's samples since its previous report
   */
  public record Entry(String deployment, String reporter, double ongoingRequests) implements Serializable {
  }

  /** A report as the head received it: wall-clock milliseconds of its arrival. */
  public record Received(long atMillis, LoadReport report) implements Serializable {
  }
}
