package io.troupe.runtime.api;

import java.io.Serializable;

/**
 * Serializable method references, so calls can be written {@code handle.call(Counter::add, 5)}:
 * the method's name is read from the reference and sent; nothing else of the lambda travels.
 */
public final class Method {
  private Method() {}

  @FunctionalInterface
  public interface M0<T, R> extends Serializable {
    R apply(T target) throws Throwable;
  }

  @FunctionalInterface
  public interface M1<T, A, R> extends Serializable {
    R apply(T target, A a) throws Throwable;
  }

  @FunctionalInterface
  public interface M2<T, A, B, R> extends Serializable {
    R apply(T target, A a, B b) throws Throwable;
  }

  @FunctionalInterface
  public interface M3<T, A, B, C, R> extends Serializable {
    R apply(T target, A a, B b, C c) throws Throwable;
  }

  /** The implementation method name of a serializable method reference. */
  public static String nameOf(Serializable methodReference) {
    try {
      java.lang.reflect.Method writeReplace = methodReference.getClass().getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
      java.lang.invoke.SerializedLambda l = (java.lang.invoke.SerializedLambda) writeReplace.invoke(methodReference);
      String name = l.getImplMethodName();
      if (name.startsWith("lambda$")) {
        throw new IllegalArgumentException("pass a method reference such as Counter::add, not a lambda");
      }
      return name;
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("not a serializable method reference: " + methodReference, e);
    }
  }
}
