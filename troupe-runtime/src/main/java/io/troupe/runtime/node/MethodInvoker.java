package io.troupe.runtime.node;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and calls public constructors and methods by name and arguments, with a per-class cache.
 * Overloads are resolved by argument count, then by which parameter types accept the arguments.
 * Thread-safe.
 */
final class MethodInvoker {
  private static final Map<Class<?>, Class<?>> BOXES = Map.of(int.class, Integer.class, long.class, Long.class,
      double.class, Double.class, float.class, Float.class, boolean.class, Boolean.class, short.class,
      Short.class, byte.class, Byte.class, char.class, Character.class);
  private static final Map<String, List<Method>> METHODS = new ConcurrentHashMap<>();

  private MethodInvoker() {}

  static Object construct(Class<?> type, Object[] args) throws Throwable {
    List<Constructor<?>> candidates = new ArrayList<>();
    for (Constructor<?> c : type.getConstructors()) {
      candidates.add(c);
    }
    Constructor<?> c = (Constructor<?>) pick(candidates, args, type.getName() + " constructor");
    try {
      return c.newInstance(args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  static Object invoke(Object target, String name, Object[] args) throws Throwable {
    Class<?> type = target.getClass();
    List<Method> candidates = METHODS.computeIfAbsent(type.getName() + "#" + name, k -> {
      List<Method> l = new ArrayList<>();
      for (Method m : type.getMethods()) {
        if (m.getName().equals(name) && !Modifier.isStatic(m.getModifiers())) {
          m.setAccessible(true);
          l.add(m);
        }
      }
      return l;
    });
    if (candidates.isEmpty()) {
      throw new NoSuchMethodException("class " + type.getName() + " has no public method '" + name + "'");
    }
    Method m = (Method) pick(candidates, args, type.getName() + "." + name);
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Executable pick(List<? extends Executable> candidates, Object[] args, String what)
      throws NoSuchMethodException {
    for (Executable e : candidates) {
      if (e.getParameterCount() == args.length && accepts(e.getParameterTypes(), args)) {
        return e;
      }
    }
    throw new NoSuchMethodException("no public " + what + " accepts " + args.length + " argument(s) of types "
        + describe(args));
  }

  private static boolean accepts(Class<?>[] types, Object[] args) {
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i].isPrimitive() ? BOXES.get(types[i]) : types[i];
      if (args[i] == null ? types[i].isPrimitive() : !t.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Object[] args) {
    List<String> l = new ArrayList<>();
    for (Object a : args) {
      l.add(a == null ? "null" : a.getClass().getSimpleName());
    }
    return l.toString();
  }
}
