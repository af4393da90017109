package io.troupe.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.serve.api.ServeRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Hello} as a plain object: greeting from user_config, default name, errors. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HelloTest {
  @Test
  void greetsByNameWithTheDefaultGreeting() throws Exception {
    Hello h = new Hello();
    assertThat(h.handle(ServeRequest.get("/hello", "name=you")).bodyAsString()).isEqualTo("hello you");
    assertThat(h.handle(ServeRequest.get("/hello", "")).bodyAsString()).isEqualTo("hello world");
    assertThat(h.handle(ServeRequest.get("/hello", "name=a%20b")).status()).isEqualTo(200);
    assertThat(h.handle(ServeRequest.get("/hello", "name=a%20b")).bodyAsString()).isEqualTo("hello a b");
  }

  @Test
  void userConfigChangesTheGreetingInPlace() throws Exception {
    Hello h = new Hello();
    h.reconfigure(Map.of("greeting", "hi"));
    assertThat(h.handle(ServeRequest.get("/hello", "name=x")).bodyAsString()).isEqualTo("hi x");
    h.reconfigure(new HashMap<>());
    assertThat(h.handle(ServeRequest.get("/hello", "name=x")).bodyAsString()).isEqualTo("hello x");
  }

  @Test
  void boomThrowsAndBadSleepIsA400() throws Exception {
    Hello h = new Hello();
    assertThatThrownBy(() -> h.handle(ServeRequest.get("/hello", "name=boom")))
        .isInstanceOf(IllegalStateException.class).hasMessage("boom requested");
    assertThat(h.handle(ServeRequest.get("/hello", "sleep_ms=soon")).status()).isEqualTo(400);
    h.checkHealth();
  }
}
