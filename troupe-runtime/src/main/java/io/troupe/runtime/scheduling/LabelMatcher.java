package io.troupe.runtime.scheduling;

import java.util.Arrays;
import java.util.Map;

/** Matches node labels against selectors ({@code v}, {@code a,b}, {@code !v}, {@code *}). */
public final class LabelMatcher {
  private LabelMatcher() {}

  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!matchesOne(e.getValue(), labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** How many selector entries match (for soft preferences). */
  public static int score(Map<String, String> selector, Map<String, String> labels) {
    int n = 0;
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (matchesOne(e.getValue(), labels.get(e.getKey()))) {
        n++;
      }
    }
    return n;
  }

  static boolean matchesOne(String want, String have) {
    if ("*".equals(want)) {
      return have != null;
    }
    if (want.startsWith("!")) {
      return have == null || !have.equals(want.substring(1));
    }
    if (have == null) {
      return false;
    }
    return Arrays.stream(want.split(",")).map(String::trim).anyMatch(have::equals);
  }
}
