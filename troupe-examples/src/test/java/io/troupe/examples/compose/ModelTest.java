package io.troupe.examples.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.troupe.serve.api.Application;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The compose example's pieces outside a cluster (the serving e2e tests cover it on one). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ModelTest {
  @Test
  void tokensAreProducedLazilyInOrder() {
    assertThat(new Model().tokens("hi", 3).toList()).containsExactly("hi-0", "hi-1", "hi-2");
    assertThat(new Model().predict("x")).startsWith("model(x)@");
  }

  @Test
  void theApplicationBindsTheModelIntoTheIngress() {
    Application app = ComposeApp.app();
    assertThat(app.ingress().className()).isEqualTo(Preprocessor.class.getName());
    assertThat(app.ingress().children()).singleElement()
        .satisfies(child -> assertThat(child.className()).isEqualTo(Model.class.getName()));
  }
}
