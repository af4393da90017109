package io.troupe.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.StringJoiner;

/** Prints what {@code troupe start} started, and what to do next. */
final class NodeSummary {
  private final PrintWriter out;

  NodeSummary(PrintWriter out) {
    this.out = out;
  }

  void print(NodeRecord r, boolean tokenGenerated) {
    out.println("Started " + r.role() + " node " + r.nodeId() + " (pid " + r.pid() + ")");
    out.println("  address:    " + r.address());
    if (r.dashboardUrl() != null) {
      out.println("  REST API:   " + r.dashboardUrl());
    }
    out.println("  resources:  " + resources(r.resources()));
    if (r.log() != null) {
      out.println("  log:        " + r.log());
    }
    if (tokenGenerated) {
      out.println("  token:      " + r.dashboardToken()
          + "   (generated; the REST API wants 'Authorization: Bearer <token>', 'troupe status' reads it from the session)");
    }
    if (r.head()) {
      out.println();
      out.println("Add a worker node:   troupe start --address " + r.address());
      out.println("See the cluster:     troupe status");
      out.println("Stop the nodes:      troupe stop");
    }
    out.flush();
  }

  /** {@code CPU 2, GPU 1, memory 4 GiB, disk_gb 200}. */
  static String resources(Map<String, Double> res) {
    StringJoiner j = new StringJoiner(", ");
    j.add("CPU " + OptionParsers.formatQuantity(res.getOrDefault("CPU", 0.0)));
    j.add("GPU " + OptionParsers.formatQuantity(res.getOrDefault("GPU", 0.0)));
    j.add("memory " + OptionParsers.formatBytes(res.getOrDefault("memory", 0.0)));
    res.forEach((k, v) -> {
      if (!k.equals("CPU") && !k.equals("GPU") && !k.equals("memory")) {
        j.add(k + " " + OptionParsers.formatQuantity(v));
      }
    });
    return j.toString();
  }
}
