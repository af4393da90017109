package io.troupe.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.Lifespan;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.Store;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * A time limit for jqwik properties (jqwik ignores JUnit's {@code @Timeout}): a property fails once it has run
 * longer than {@link #seconds()}. The limit is checked before every try, so one try that never ends is not
 * caught; the properties it guards run many short tries.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@AddLifecycleHook(value = PropertyTimeout.Hook.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
public @interface PropertyTimeout {
  /** The limit for each property, in seconds. */
  long seconds();

  /** Fails the try that starts after the property's time is up. */
  final class Hook implements AroundTryHook {
    private static final Object STARTED = new Object();

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
      long started = Store.getOrCreate(STARTED, Lifespan.PROPERTY, System::nanoTime).get();
      Duration limit = Duration.ofSeconds(limit(context));
      Duration ran = Duration.ofNanos(System.nanoTime() - started);
      if (ran.compareTo(limit) > 0) {
        return TryExecutionResult.falsified(new AssertionError("property " + context.label() + " ran longer than its "
            + limit.toSeconds() + " s limit (@PropertyTimeout); it was stopped after " + ran.toMillis() + " ms"));
      }
      return aTry.execute(parameters);
    }

    private static long limit(TryLifecycleContext context) {
      PropertyTimeout onMethod = context.targetMethod().getAnnotation(PropertyTimeout.class);
      if (onMethod != null) {
        return onMethod.seconds();
      }
      for (Class<?> c = context.containerClass(); c != null; c = c.getEnclosingClass()) {
        PropertyTimeout t = c.getAnnotation(PropertyTimeout.class);
        if (t != null) {
          return t.seconds();
        }
      }
      throw new IllegalStateException("@PropertyTimeout hook without the annotation on " + context.label());
    }
  }
}
