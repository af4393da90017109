package io.troupe.runtime.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The control service's small key-value store (Ray's internal KV): keys sorted, values opaque bytes. A write is
 * persisted first and applied only when that succeeded, so the table never holds what the store lost.
 *
 * <p><b>Threading.</b> Not thread-safe: owned by the control service's actor. <b>Authority:</b> the store; this
 * is its loaded copy.
 */
public final class KvTable {
  private final TreeMap<String, byte[]> values = new TreeMap<>();
  private final BiConsumer<String, byte[]> persist;

  /**
   * @param loaded  what the store holds at start
   * @param persist writes one key durably ({@code null} value: delete); throws when it cannot
   */
  public KvTable(Map<String, byte[]> loaded, BiConsumer<String, byte[]> persist) {
    values.putAll(loaded);
    this.persist = persist;
  }

  /** The table of {@code store} (loaded from it, writing through to it). */
  public static KvTable of(ControlStore store) {
    return new KvTable(store.loadKv(), store::saveKv);
  }

  /**
   * Sets {@code key} to {@code value}, or deletes it when {@code value} is null.
   *
   * @throws RuntimeException the store's failure; the table is unchanged
   */
  public void put(String key, byte[] value) {
    persist.accept(key, value);
    if (value == null) {
      values.remove(key);
    } else {
      values.put(key, value);
    }
  }

  public Optional<byte[]> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** The keys starting with {@code prefix}, sorted. */
  public List<String> keys(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : values.tailMap(prefix, true).keySet()) {
      if (!k.startsWith(prefix)) {
        break;
      }
      out.add(k);
    }
    return out;
  }
}
