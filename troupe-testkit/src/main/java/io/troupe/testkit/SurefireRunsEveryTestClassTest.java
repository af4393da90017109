package io.troupe.testkit;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build's guard that every test class of a module runs and has a time limit. Surefire runs this class in
 * every module (the parent pom lists this kit in {@code dependenciesToScan}) with the module's test-classes
 * directory and the include patterns it uses itself, so a test class that surefire would skip fails the build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class SurefireRunsEveryTestClassTest {
  static final String CLASSES = "troupe.test.classesDirectory";
  static final String INCLUDES = "troupe.test.includes";

  @Test
  void everyTestClassOfThisModuleIsRunAndHasATimeLimit() {
    String classes = System.getProperty(CLASSES);
    String includes = System.getProperty(INCLUDES);
    if (classes == null || includes == null) {
      throw new AssertionError("set the system properties " + CLASSES + " and " + INCLUDES
          + " (the parent pom's surefire configuration does)");
    }
    TestClassAudit audit = new TestClassAudit(List.of(includes), Thread.currentThread().getContextClassLoader());
    TestClassAudit.Findings findings = audit.audit(Path.of(classes));
    if (!findings.clean()) {
      throw new AssertionError(audit.explain(findings));
    }
  }
}
