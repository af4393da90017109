package io.troupe.testkit;

import java.util.concurrent.TimeUnit;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Classes for {@link TestClassAuditTest}, audited with the include pattern {@code **}{@code /*Runs.java}: none of
 * them matches surefire's patterns, so the build never runs them (their tests would pass anyway).
 */
final class AuditFixtures {
  private AuditFixtures() {}
}

@Timeout(5)
class GoodRuns {
  @Test
  void runs() {}

  @Nested
  class Inner {
    @Test
    void runsToo() {}
  }

  static class StaticInner {
    @Test
    void neverRuns() {}
  }
}

class UntimedRuns {
  @Test
  void runs() {}
}

class EachTestTimedRuns {
  @Test
  @Timeout(5)
  void runs() {}
}

@PropertyTimeout(seconds = 5)
class PropertyRuns {
  @Property(tries = 1)
  boolean holds() {
    return true;
  }
}

@Timeout(5)
class JupiterTimeoutOnPropertyRuns {
  @Property(tries = 1)
  boolean holds() {
    return true;
  }
}

@Timeout(5)
class Skipped {
  @Test
  void neverRuns() {}
}

@Timeout(5)
class ParameterizedSkipped {
  @ParameterizedTest
  @ValueSource(ints = 1)
  void neverRuns(int x) {}
}

@Timeout(5)
abstract class AbstractBaseRuns {
  @Test
  void inherited() {}
}

class SubclassSkipped extends AbstractBaseRuns {}

class SubclassRuns extends AbstractBaseRuns {}

class HelperWithoutTests {
  void help() {}
}
