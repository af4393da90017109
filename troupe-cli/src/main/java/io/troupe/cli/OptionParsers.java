package io.troupe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.runtime.api.ResourceSet;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure parsers for the values of {@code troupe start} options. Each throws
 * {@link IllegalArgumentException} with a one-line message that says what to fix; callers turn it
 * into a usage error naming the option.
 */
final class OptionParsers {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b?)", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]{0,62}");
  private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9_.:/-]{0,63}");

  private OptionParsers() {}

  /**
   * Bytes from {@code 1073741824}, {@code 512M}, {@code 4G}, {@code 1.5GiB}, {@code 64k}: suffixes
   * K, M, G, T, P are powers of 1024 (an optional {@code i} and {@code B} are accepted).
   */
  static long parseMemory(String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SIZE.matcher(t);
    if (!m.matches() || (m.group(2).isEmpty() && m.group(3).equalsIgnoreCase("i"))) {
      throw new IllegalArgumentException("'" + text + "' is not a size; use bytes or a suffix, e.g. 512M or 4G");
    }
    int power = m.group(2).isEmpty() ? 0 : "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return bytes.longValue();
  }

  /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT10S}); must be positive. */
  static Duration parseDuration(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      BigDecimal n = new BigDecimal(m.group(1));
      long millisPer = switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      d = Duration.ofMillis(n.multiply(BigDecimal.valueOf(millisPer)).longValue());
    } else {
      try {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 10s, 500ms or 2m");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("'" + text + "' must be longer than zero");
    }
    return d;
  }

  /**
   * Custom resources from a JSON object of name to non-negative finite number, e.g.
   * {@code {"accelerator_type:H100": 1, "disk_gb": 200}}. CPU, GPU and memory have their own options.
   */
  static Map<String, Double> parseResources(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      String hint = json.matches("(?s).*\\b(NaN|Infinity)\\b.*") ? " (NaN and Infinity are not quantities)" : "";
      throw new IllegalArgumentException("malformed JSON" + where + hint
          + "; give an object like '{\"disk_gb\": 200}'");
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("give a JSON object of name to number, like '{\"disk_gb\": 200}'");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String name = e.getKey();
      switch (name) {
        case ResourceSet.CPU -> throw new IllegalArgumentException("set CPU with --num-cpus, not in --resources");
        case ResourceSet.GPU -> throw new IllegalArgumentException("set GPU with --num-gpus, not in --resources");
        case ResourceSet.MEMORY -> throw new IllegalArgumentException("set memory with --memory, not in --resources");
        default -> { }
      }
      if (!e.getValue().isNumber()) {
        throw new IllegalArgumentException("resource '" + name + "' has quantity " + e.getValue()
            + "; give a number >= 0");
      }
      out.put(name, e.getValue().doubleValue());
    }
    ResourceSet.of(out); // validates names and quantities with the runtime's own rules
    return out;
  }

  /** Labels from {@code k=v,k2=v2}; keys unique, letters, digits and {@code _ . : / -}. */
  static Map<String, String> parseLabels(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String pair : text.split(",", -1)) {
      String p = pair.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("'" + p + "' is not key=value; use e.g. zone=a,tier=gpu");
      }
      String key = p.substring(0, eq).trim();
      String value = p.substring(eq + 1).trim();
      if (!LABEL_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("invalid label key '" + key
            + "': use letters, digits and _ . : / - (at most 63 characters)");
      }
      if (!LABEL_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("invalid value '" + value + "' for label '" + key
            + "': use letters, digits and _ . : / - (at most 63 characters)");
      }
      if (out.put(key, value) != null) {
        throw new IllegalArgumentException("label '" + key + "' is given twice");
      }
    }
    return out;
  }

  /** Validates {@code HOST:PORT} (IPv6 as {@code [::1]:6380}) and returns it trimmed. */
  static String parseHostPort(String text) {
    String t = text == null ? "" : text.trim();
    int colon = t.lastIndexOf(':');
    String host = colon > 0 ? t.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = colon > 0 ? t.substring(colon + 1) : "";
    if (host.isEmpty() || host.contains("/") || !port.matches("\\d{1,5}")
        || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT, e.g. 10.0.0.5:6380");
    }
    return t;
  }

  static String host(String hostPort) {
    String h = hostPort.substring(0, hostPort.lastIndexOf(':'));
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** A quantity for people: whole numbers without a decimal point, else up to two decimals. */
  static String formatQuantity(double q) {
    if (q == Math.rint(q) && Math.abs(q) < 1e15) {
      return Long.toString((long) q);
    }
    return BigDecimal.valueOf(q).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  /** Bytes for people: {@code 512 MiB}, {@code 3.5 GiB}. */
  static String formatBytes(double bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    double v = bytes;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    String n = v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    return n + " " + units[i];
  }
}
