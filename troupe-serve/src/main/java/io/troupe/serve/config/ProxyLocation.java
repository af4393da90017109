package io.troupe.serve.config;

import java.util.Arrays;

/** Where HTTP proxies run (Ray Serve's {@code ProxyLocation}); spelled as in Ray's YAML. */
public enum ProxyLocation {
  /** No proxies: the applications are reached through handles only. */
  Disabled,
  /** One proxy, on the head node. */
  HeadOnly,
  /** A proxy on every node (the default), so any node's port serves every application. */
  EveryNode;

  static ProxyLocation parse(String s, String path) {
    for (ProxyLocation p : values()) {
      if (p.name().equals(s)) {
        return p;
      }
    }
    throw new ServeConfigException(path, "expected one of " + Arrays.toString(values()) + ", got \"" + s + "\"");
  }
}
