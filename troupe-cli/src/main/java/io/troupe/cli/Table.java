package io.troupe.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: left-aligned columns separated by two spaces, a header row in capitals. */
final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  Table row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
    }
    List<String> r = new ArrayList<>();
    for (String c : cells) {
      r.add(c == null ? "-" : c);
    }
    rows.add(r);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  String render() {
    int[] w = new int[headers.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = headers.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, headers, w);
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        l.append("  ");
      }
      l.append(cells.get(i));
      if (i < cells.size() - 1) {
        l.append(" ".repeat(w[i] - cells.get(i).length()));
      }
    }
    sb.append(l.toString().stripTrailing()).append('\n');
  }
}
