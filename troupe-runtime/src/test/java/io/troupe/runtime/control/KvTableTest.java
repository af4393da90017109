package io.troupe.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The control service's KV table: loaded from the store, written through to it, sorted prefix listing. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KvTableTest {
  private final Map<String, byte[]> stored = new LinkedHashMap<>();
  private boolean storeFails;

  private KvTable table(Map<String, byte[]> loaded) {
    return new KvTable(loaded, (k, v) -> {
      if (storeFails) {
        throw new IllegalStateException("disk full");
      }
      if (v == null) {
        stored.remove(k);
      } else {
        stored.put(k, v);
      }
    });
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void writesGoThroughToTheStoreAndDeletesRemove() {
    KvTable t = table(Map.of("serve/settings", b("x")));
    assertThat(t.get("serve/settings")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("x")));

    t.put("metrics/nodes/n1", b("http://a"));
    t.put("serve/settings", null);

    assertThat(t.get("serve/settings")).isEmpty();
    assertThat(stored).containsOnlyKeys("metrics/nodes/n1");
  }

  @Test
  void keysByPrefixAreSorted() {
    KvTable t = table(Map.of());
    for (String k : new String[] {"metrics/nodes/b", "metrics/x", "metrics/nodes/a", "metricz", "a"}) {
      t.put(k, b(k));
    }

    assertThat(t.keys("metrics/nodes/")).containsExactly("metrics/nodes/a", "metrics/nodes/b");
    assertThat(t.keys("metrics")).containsExactly("metrics/nodes/a", "metrics/nodes/b", "metrics/x");
    assertThat(t.keys("metric")).endsWith("metricz");
    assertThat(t.keys("")).hasSize(5);
    assertThat(t.keys("zzz")).isEmpty();
  }

  @Test
  void aFailedWriteLeavesTheTableAsItWas() {
    KvTable t = table(Map.of("k", b("old")));
    storeFails = true;

    assertThatThrownBy(() -> t.put("k", b("new"))).hasMessage("disk full");
    assertThatThrownBy(() -> t.put("k", null)).hasMessage("disk full");
    assertThat(t.get("k")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("old")));
  }
}
