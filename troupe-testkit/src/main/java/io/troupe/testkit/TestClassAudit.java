package io.troupe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.platform.commons.annotation.Testable;

/**
 * Finds the test classes of a module that surefire would silently skip, and the test classes without a time
 * limit.
 *
 * <p>A class is a test class when it (or a superclass) declares a method carrying an annotation that JUnit
 * marks {@link Testable} ({@code @Test}, {@code @ParameterizedTest}, {@code @RepeatedTest}, {@code @TestFactory},
 * jqwik's {@code @Property} and {@code @Example}, ...). Surefire runs a top-level class only when its path
 * matches one of the include patterns, and an inner class only as a {@code @Nested} (or jqwik {@code @Group})
 * member of a class it runs; anything else is never run and nobody notices, which is what this audit reports.
 *
 * <p>A JUnit Jupiter test class must also carry {@code @Timeout} (on the class, an enclosing class or every test
 * method); a jqwik class carries {@link PropertyTimeout} instead, since jqwik ignores {@code @Timeout}.
 */
public final class TestClassAudit {
  private static final String NESTED = "org.junit.jupiter.api.Nested";
  private static final String GROUP = "net.jqwik.api.Group";
  private static final String JUPITER_TIMEOUT = "org.junit.jupiter.api.Timeout";
  private static final String JQWIK_PACKAGE = "net.jqwik.";

  private final List<Pattern> includes;
  private final List<String> includeText;
  private final ClassLoader loader;

  /**
   * @param includes surefire's include patterns, e.g. {@code **}{@code /*Test.java} (Ant-style globs; comma
   *     separated entries are split)
   */
  public TestClassAudit(List<String> includes, ClassLoader loader) {
    this.includeText = new ArrayList<>();
    for (String entry : includes) {
      for (String p : entry.split(",")) {
        if (!p.isBlank()) {
          includeText.add(p.strip());
        }
      }
    }
    if (includeText.isEmpty()) {
      throw new IllegalArgumentException("no surefire include patterns given");
    }
    this.includes = includeText.stream().map(TestClassAudit::globToRegex).toList();
    this.loader = loader;
  }

  /** What the audit found: classes surefire skips, and classes without a time limit. */
  public record Findings(List<String> notRun, List<String> withoutTimeout) {
    public boolean clean() {
      return notRun.isEmpty() && withoutTimeout.isEmpty();
    }
  }

  /** Audits every compiled class under {@code testClasses} (a module's {@code target/test-classes}). */
  public Findings audit(Path testClasses) {
    List<String> notRun = new ArrayList<>();
    List<String> withoutTimeout = new ArrayList<>();
    if (!Files.isDirectory(testClasses)) {
      return new Findings(notRun, withoutTimeout);
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(testClasses)) {
      files = s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path file : files) {
      String relative = testClasses.relativize(file).toString().replace('\\', '/');
      String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
      if (name.endsWith("module-info") || name.endsWith("package-info")) {
        continue;
      }
      Class<?> c;
      try {
        c = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load test class " + name + " to audit it: " + e, e);
      }
      if (!isTestClass(c)) {
        continue;
      }
      if (!runBySurefire(c)) {
        notRun.add(name);
      }
      if (!hasTimeLimit(c)) {
        withoutTimeout.add(name);
      }
    }
    return new Findings(notRun, withoutTimeout);
  }

  /** The failure message for findings that are not clean. */
  public String explain(Findings f) {
    StringBuilder sb = new StringBuilder();
    if (!f.notRun().isEmpty()) {
      sb.append("surefire never runs these test classes: ").append(f.notRun())
          .append(". Their names match none of the include patterns ").append(includeText)
          .append(" (an inner class runs only when it is @Nested/@Group inside a class that runs): rename them to"
              + " end in Test, Tests or TestCase.\n");
    }
    if (!f.withoutTimeout().isEmpty()) {
      sb.append("these test classes have no time limit: ").append(f.withoutTimeout())
          .append(". Put @Timeout on a JUnit test class (or on each of its tests) and @PropertyTimeout"
              + " (io.troupe.testkit) on a jqwik class.\n");
    }
    return sb.toString();
  }

  boolean isTestClass(Class<?> c) {
    if (c.isInterface() || c.isAnnotation() || c.isAnonymousClass() || c.isLocalClass()
        || Modifier.isAbstract(c.getModifiers())) {
      return false;
    }
    return !testMethods(c).isEmpty();
  }

  private static List<Method> testMethods(Class<?> c) {
    List<Method> out = new ArrayList<>();
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Method m : k.getDeclaredMethods()) {
        if (testable(m)) {
          out.add(m);
        }
      }
    }
    return out;
  }

  private static boolean testable(AnnotatedElement e) {
    for (Annotation a : e.getAnnotations()) {
      if (metaAnnotated(a.annotationType(), Testable.class, new HashSet<>())) {
        return true;
      }
    }
    return false;
  }

  private static boolean metaAnnotated(Class<? extends Annotation> type, Class<? extends Annotation> target,
      Set<Class<?>> seen) {
    if (type == target) {
      return true;
    }
    if (!seen.add(type)) {
      return false;
    }
    for (Annotation meta : type.getAnnotations()) {
      if (metaAnnotated(meta.annotationType(), target, seen)) {
        return true;
      }
    }
    return false;
  }

  boolean runBySurefire(Class<?> c) {
    Class<?> outer = c.getEnclosingClass();
    if (outer == null) {
      return matchesInclude(c.getName());
    }
    // JUnit's @Nested and jqwik's @Group both need an inner (non-static) class
    boolean member = !Modifier.isStatic(c.getModifiers()) && (hasAnnotation(c, NESTED) || hasAnnotation(c, GROUP));
    return member && runBySurefire(outer);
  }

  boolean matchesInclude(String className) {
    String path = className.replace('.', '/');
    return includes.stream().anyMatch(p -> p.matcher(path).matches());
  }

  private boolean hasTimeLimit(Class<?> c) {
    boolean jqwik = testMethods(c).stream().anyMatch(m -> annotatedFrom(m, JQWIK_PACKAGE));
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (jqwik ? k.isAnnotationPresent(PropertyTimeout.class) : hasAnnotation(k, JUPITER_TIMEOUT)) {
        return true;
      }
    }
    if (jqwik) {
      return testMethods(c).stream().allMatch(m -> m.isAnnotationPresent(PropertyTimeout.class));
    }
    return testMethods(c).stream().allMatch(m -> hasAnnotation(m, JUPITER_TIMEOUT));
  }

  private static boolean annotatedFrom(AnnotatedElement e, String packagePrefix) {
    for (Annotation a : e.getAnnotations()) {
      if (a.annotationType().getName().startsWith(packagePrefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasAnnotation(AnnotatedElement e, String typeName) {
    for (Annotation a : e.getAnnotations()) {
      if (a.annotationType().getName().equals(typeName)) {
        return true;
      }
    }
    return false;
  }

  /** An Ant-style include ({@code **}{@code /*Test.java}) as a regex over a class's path without suffix. */
  static Pattern globToRegex(String glob) {
    if (glob.startsWith("%regex") || glob.startsWith("!") || glob.contains("#")) {
      throw new IllegalArgumentException("the test class audit understands plain Ant-style include patterns, not '"
          + glob + "'");
    }
    String g = glob.replace('\\', '/');
    for (String suffix : List.of(".java", ".class")) {
      if (g.endsWith(suffix)) {
        g = g.substring(0, g.length() - suffix.length());
      }
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < g.length(); i++) {
      char ch = g.charAt(i);
      if (g.startsWith("**/", i)) {
        re.append("(?:.*/)?");
        i += 2;
      } else if (g.startsWith("**", i)) {
        re.append(".*");
        i += 1;
      } else if (ch == '*') {
        re.append("[^/]*");
      } else if (ch == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
