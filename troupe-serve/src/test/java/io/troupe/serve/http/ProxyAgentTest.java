package io.troupe.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.serve.config.HttpOptions;
import io.troupe.serve.config.ProxyLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node's proxy follows the head's settings, survives the head being away, and retries a busy port. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProxyAgentTest {
  private static final HttpOptions HTTP = new HttpOptions("127.0.0.1", 8000, Optional.of(Duration.ofSeconds(5)));

  /** Scripted settings, starter and registry. */
  private Optional<ProxySettings> settings = Optional.empty();
  private boolean headDown;
  private boolean portBusy;
  private final List<String> events = new ArrayList<>();
  private int nextPort = 41000;

  private ProxyAgent agent(OptionalInt override) {
    return new ProxyAgent(() -> {
      if (headDown) {
        throw new IllegalStateException("control service unreachable");
      }
      return settings;
    }, options -> {
      if (portBusy) {
        throw new IllegalStateException("Address already in use");
      }
      int port = options.port() == 0 ? nextPort++ : options.port();
      events.add("start " + options.host() + ":" + port + " timeout=" + options.requestTimeout().orElse(null));
      return new ProxyAgent.Running() {
        @Override
        public int port() {
          return port;
        }

        @Override
        public void close() {
          events.add("stop " + port);
        }
      };
    }, new ProxyAgent.Registry() {
      @Override
      public boolean register(String host, int port) {
        if (headDown) {
          return false;
        }
        events.add("register " + host + ":" + port);
        return true;
      }

      @Override
      public void unregister() {
        events.add("unregister");
      }
    }, override);
  }

  @Test
  void followsTheHeadsSettings() {
    ProxyAgent a = agent(OptionalInt.empty());
    a.step();
    assertThat(events).isEmpty(); // nothing published yet: no proxy
    settings = Optional.of(new ProxySettings(ProxyLocation.EveryNode, HTTP));
    a.step();
    a.step();
    assertThat(events).containsExactly("start 127.0.0.1:8000 timeout=PT5S", "register 127.0.0.1:8000");
    assertThat(a.port()).hasValue(8000);
    settings = Optional.of(new ProxySettings(ProxyLocation.HeadOnly, HTTP));
    a.step();
    assertThat(events).endsWith("stop 8000", "unregister");
    assertThat(a.port()).isEmpty();
    settings = Optional.of(new ProxySettings(ProxyLocation.EveryNode, new HttpOptions("0.0.0.0", 9000, Optional.empty())));
    a.step();
    assertThat(events).endsWith("start 0.0.0.0:9000 timeout=null", "register 0.0.0.0:9000");
    settings = Optional.of(new ProxySettings(ProxyLocation.Disabled, HTTP));
    a.step();
    assertThat(events).endsWith("stop 9000", "unregister");
  }

  @Test
  void keepsServingWhileTheHeadIsAwayAndRegistersWhenItIsBack() {
    ProxyAgent a = agent(OptionalInt.of(0)); // several nodes on one host: any free port
    settings = Optional.of(new ProxySettings(ProxyLocation.EveryNode, HTTP));
    headDown = false;
    a.step();
    assertThat(a.port()).hasValue(41000);
    headDown = true;
    for (int i = 0; i < 3; i++) {
      a.step();
    }
    assertThat(a.port()).hasValue(41000);
    assertThat(events).containsExactly("start 127.0.0.1:41000 timeout=PT5S", "register 127.0.0.1:41000");
    a.close();
    assertThat(events).endsWith("stop 41000", "unregister");
    a.step();
    assertThat(a.port()).isEmpty(); // closed for good
  }

  @Test
  void aBusyPortIsNotRetriedUntilTheSettingsChange() {
    ProxyAgent a = agent(OptionalInt.empty());
    settings = Optional.of(new ProxySettings(ProxyLocation.EveryNode, HTTP));
    portBusy = true;
    a.step();
    assertThat(a.port()).isEmpty();
    assertThat(a.lastError()).hasValueSatisfying(e -> assertThat(e).contains("127.0.0.1:8000", "already in use"));
    portBusy = false;
    a.step(); // the port may belong to a proxy that is restarting on this host: do not take it
    assertThat(a.port()).isEmpty();
    settings = Optional.of(new ProxySettings(ProxyLocation.EveryNode, new HttpOptions("127.0.0.1", 8001,
        Optional.empty())));
    a.step();
    assertThat(a.port()).hasValue(8001);
    assertThat(a.lastError()).isEmpty();
  }

  @Test
  void retriesARegistrationThatFailed() {
    ProxyAgent a = agent(OptionalInt.empty());
    settings = Optional.of(new ProxySettings(ProxyLocation.EveryNode, HTTP));
    a.step();
    headDown = true; // settings unreadable: nothing changes, no registration attempt counted
    a.step();
    assertThat(events).containsExactly("start 127.0.0.1:8000 timeout=PT5S", "register 127.0.0.1:8000");
  }
}
