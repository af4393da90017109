package io.troupe.serve.autoscaling;

import io.troupe.serve.api.AutoscalingConfig;
import io.troupe.serve.api.ServeException;
import io.troupe.serve.spi.AutoscalingPolicy;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the {@link AutoscalingPolicy} a deployment's {@code autoscaling_config.policy} names: the built-in
 * {@link OngoingRequestsPolicy} when it names none, else one instance per class name, loaded from the user
 * class loader the controller was given (the head's {@code --classpath}). Only classes that implement the
 * SPI are instantiated, through their public no-argument constructor.
 *
 * <p><b>Threading.</b> Not thread-safe; the controller's thread owns it.
 */
public final class AutoscalingPolicies {
  private final ClassLoader loader;
  private final AutoscalingPolicy builtIn;
  private final Map<String, AutoscalingPolicy> byClass = new HashMap<>();

  public AutoscalingPolicies(ClassLoader loader, AutoscalingPolicy builtIn) {
    this.loader = loader;
    this.builtIn = builtIn;
  }

  /** The policy for {@code c}; throws {@link ServeException} saying what to fix when it cannot be made. */
  public AutoscalingPolicy forConfig(AutoscalingConfig c) {
    String name = c.policy();
    if (name == null) {
      return builtIn;
    }
    AutoscalingPolicy p = byClass.get(name);
    if (p == null) {
      p = load(name);
      byClass.put(name, p);
    }
    return p;
  }

  private AutoscalingPolicy load(String name) {
    Class<?> type;
    try {
      type = Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ServeException("autoscaling_config.policy: class '" + name + "' is not on the head's classpath; "
          + "add its jar or directory with 'troupe start --head --classpath ...'");
    }
    if (!AutoscalingPolicy.class.isAssignableFrom(type)) {
      throw new ServeException("autoscaling_config.policy: " + name + " does not implement "
          + AutoscalingPolicy.class.getName());
    }
    if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
      throw new ServeException("autoscaling_config.policy: " + name + " must be a public, non-abstract class");
    }
    try {
      Constructor<?> ctor = type.getConstructor();
      return (AutoscalingPolicy) ctor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new ServeException("autoscaling_config.policy: " + name + " needs a public no-argument constructor");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
      throw new ServeException("autoscaling_config.policy: creating " + name + " failed: " + cause, cause);
    }
  }
}
