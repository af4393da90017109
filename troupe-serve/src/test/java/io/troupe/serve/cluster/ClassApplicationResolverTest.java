package io.troupe.serve.cluster;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.serve.api.Application;
import io.troupe.serve.config.ApplicationConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An application builder's own exception reaches the caller, not java.lang.reflect's wrapper. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClassApplicationResolverTest {

  public static final class Builders {
    public static Application refuses(Map<String, Object> args) {
      throw new IllegalArgumentException("unknown model option 'engine'; known: [model_id]");
    }
  }

  private final ClassApplicationResolver resolver = new ClassApplicationResolver(getClass().getClassLoader());

  @Test
  void aBuilderThatThrowsFailsWithItsOwnException() {
    ApplicationConfig app = new ApplicationConfig("ext", Optional.empty(), Builders.class.getName() + ":refuses",
        Map.of("engine", "x"), List.of());

    assertThatThrownBy(() -> resolver.resolve(app)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown model option 'engine'; known: [model_id]");
  }

  @Test
  void aMissingBuilderIsNamed() {
    ApplicationConfig app = new ApplicationConfig("ext", Optional.empty(), Builders.class.getName() + ":absent",
        Map.of(), List.of());

    assertThatThrownBy(() -> resolver.resolve(app)).hasMessageContaining("has no public static method absent");
  }
}
