package io.troupe.serve.cluster;

import io.troupe.serve.api.Application;
import io.troupe.serve.api.BoundDeployment;
import io.troupe.serve.config.ApplicationConfig;
import io.troupe.serve.controller.ApplicationResolver;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * Resolves a config's {@code import_path} by loading Java classes from this JVM's classpath:
 * <ul>
 *   <li>{@code com.example.Hello} — a deployment class, bound with no constructor arguments and the
 *       options of its {@link io.troupe.serve.api.Deployment} annotation (the config may override them);</li>
 *   <li>{@code com.example.Apps:hello} — an application builder: a public static method
 *       {@code hello(Map<String,Object> args)} (or {@code hello()}) returning an {@link Application}
 *       or a {@link BoundDeployment}, called with the config's {@code args}.</li>
 * </ul>
 * An exception thrown by a builder propagates as itself (its message becomes the application's
 * {@code DEPLOY_FAILED} message). Stateless.
 */
public final class ClassApplicationResolver implements ApplicationResolver {
  private final ClassLoader loader;

  public ClassApplicationResolver(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public Application resolve(ApplicationConfig app) throws Exception {
    String path = app.importPath();
    int colon = path.indexOf(':');
    String className = colon < 0 ? path : path.substring(0, colon);
    Class<?> cls;
    try {
      cls = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("import_path '" + path + "': class " + className
          + " is not on the head's classpath");
    }
    if (colon < 0) {
      if (!app.args().isEmpty()) {
        throw new IllegalArgumentException("import_path '" + path + "' names a deployment class, which takes no args;"
            + " name an application builder ('" + className + ":method') to pass args");
      }
      return Application.of(BoundDeployment.bind(cls, null));
    }
    String methodName = path.substring(colon + 1);
    for (Method m : cls.getMethods()) {
      if (m.getName().equals(methodName) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() <= 1) {
        Object out;
        try {
          out = m.getParameterCount() == 0 ? m.invoke(null) : m.invoke(null, (Map<String, Object>) app.args());
        } catch (java.lang.reflect.InvocationTargetException e) {
          // the builder's own exception (e.g. "unknown model option ..."), not the reflection wrapper
          throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
        return switch (out) {
          case Application a -> a;
          case BoundDeployment b -> Application.of(b);
          default -> throw new IllegalArgumentException("import_path '" + path + "' returned "
              + (out == null ? "null" : out.getClass().getName()) + ", not an Application or BoundDeployment");
        };
      }
    }
    throw new IllegalArgumentException("import_path '" + path + "': " + className + " has no public static method "
        + methodName + "(Map<String,Object> args) or " + methodName + "()");
  }
}
