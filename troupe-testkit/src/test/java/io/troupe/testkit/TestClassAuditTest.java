package io.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TestClassAuditTest {
  private static final List<Class<?>> FIXTURES = List.of(AuditFixtures.class, GoodRuns.class, GoodRuns.Inner.class,
      GoodRuns.StaticInner.class, UntimedRuns.class, EachTestTimedRuns.class, PropertyRuns.class,
      JupiterTimeoutOnPropertyRuns.class, Skipped.class, ParameterizedSkipped.class, AbstractBaseRuns.class,
      SubclassSkipped.class, SubclassRuns.class, HelperWithoutTests.class);

  @Test
  void reportsTheClassesSurefireSkipsAndThoseWithoutATimeLimit(@TempDir Path dir) throws Exception {
    copyClassFiles(dir);
    TestClassAudit audit = new TestClassAudit(List.of("**/*Runs.java"), getClass().getClassLoader());

    TestClassAudit.Findings f = audit.audit(dir);

    assertThat(f.notRun()).containsExactlyInAnyOrder("io.troupe.testkit.GoodRuns$StaticInner",
        "io.troupe.testkit.Skipped", "io.troupe.testkit.ParameterizedSkipped", "io.troupe.testkit.SubclassSkipped");
    assertThat(f.withoutTimeout()).containsExactlyInAnyOrder("io.troupe.testkit.UntimedRuns",
        "io.troupe.testkit.JupiterTimeoutOnPropertyRuns");
    assertThat(f.clean()).isFalse();
    assertThat(audit.explain(f)).contains("surefire never runs these test classes", "io.troupe.testkit.Skipped",
        "[**/*Runs.java]", "rename them", "no time limit", "io.troupe.testkit.UntimedRuns", "@PropertyTimeout");
  }

  @Test
  void surefiresDefaultPatternsMatchTheConventionalNames() {
    TestClassAudit audit = new TestClassAudit(
        List.of("**/Test*.java, **/*Test.java, **/*Tests.java, **/*TestCase.java"), getClass().getClassLoader());
    assertThat(audit.matchesInclude("io.troupe.x.FooTest")).isTrue();
    assertThat(audit.matchesInclude("io.troupe.x.FooTests")).isTrue();
    assertThat(audit.matchesInclude("io.troupe.x.FooTestCase")).isTrue();
    assertThat(audit.matchesInclude("io.troupe.x.TestFoo")).isTrue();
    assertThat(audit.matchesInclude("FooTest")).isTrue();
    assertThat(audit.matchesInclude("io.troupe.x.FooProperties")).isFalse();
    assertThat(audit.matchesInclude("io.troupe.x.FooTestSupport")).isFalse();
    assertThat(audit.matchesInclude("io.troupe.Testing.Foo")).isFalse();
  }

  @Test
  void aCleanDirectoryAndAMissingOneHaveNoFindings(@TempDir Path dir) throws Exception {
    TestClassAudit audit = new TestClassAudit(List.of("**/*Runs.java"), getClass().getClassLoader());
    assertThat(audit.audit(dir.resolve("absent")).clean()).isTrue();
    Path pkg = Files.createDirectories(dir.resolve("io/troupe/testkit"));
    Files.copy(classFile(PropertyRuns.class), pkg.resolve("PropertyRuns.class"));
    Files.copy(classFile(EachTestTimedRuns.class), pkg.resolve("EachTestTimedRuns.class"));
    assertThat(audit.audit(dir).clean()).isTrue();
  }

  @Test
  void refusesPatternsItDoesNotUnderstand() {
    assertThatThrownBy(() -> new TestClassAudit(List.of("%regex[.*Foo.*]"), getClass().getClassLoader()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("%regex");
    assertThatThrownBy(() -> new TestClassAudit(List.of(" , "), getClass().getClassLoader()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no surefire include patterns");
  }

  private static void copyClassFiles(Path dir) throws IOException, URISyntaxException {
    Path pkg = Files.createDirectories(dir.resolve("io/troupe/testkit"));
    for (Class<?> c : FIXTURES) {
      Files.copy(classFile(c), pkg.resolve(c.getName().substring(c.getPackageName().length() + 1) + ".class"));
    }
  }

  private static Path classFile(Class<?> c) throws URISyntaxException {
    String simple = c.getName().substring(c.getPackageName().length() + 1);
    return Path.of(c.getResource(simple + ".class").toURI());
  }
}
