package io.troupe.serve.api;

import java.util.List;
import java.util.Map;

/** Checks that a value is JSON-like (what a config file or a checkpoint can carry). Stateless. */
final class JsonValues {
  private JsonValues() {
  }

  static void check(String path, Object v) {
    switch (v) {
      case null -> { }
      case String s -> { }
      case Number n -> { }
      case Boolean b -> { }
      case Map<?, ?> m -> m.forEach((k, x) -> {
        if (!(k instanceof String key)) {
          throw new IllegalArgumentException(path + ": map keys must be strings, got " + k);
        }
        check(path + "." + key, x);
      });
      case List<?> l -> {
        for (int i = 0; i < l.size(); i++) {
          check(path + "[" + i + "]", l.get(i));
        }
      }
      default -> throw new IllegalArgumentException(path + " must be JSON-like (map, list, string, number, "
          + "boolean or null), got " + v.getClass().getName());
    }
  }
}
