package io.troupe.llm.chat;

import static io.troupe.llm.chat.JinjaValues.UNDEFINED;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Binary operators, subscripts and slices with Python semantics. Stateless. */
final class JinjaOperators {
    private JinjaOperators() {
    }

    /** {@code target[key]} or {@code target.key}; missing keys give undefined. */
    static Object getItem(Object target, Object key, int line) {
        if (target instanceof Map<?, ?> m) {
            return m.containsKey(key) ? m.get(key) : UNDEFINED;
        }
        if (target instanceof List<?> l && key instanceof Long i) {
            int idx = (int) (i < 0 ? l.size() + i : i);
            return idx >= 0 && idx < l.size() ? l.get(idx) : UNDEFINED;
        }
        if (target instanceof String s && key instanceof Long i) {
            int n = s.length();
            int idx = (int) (i < 0 ? n + i : i);
            return idx >= 0 && idx < n ? String.valueOf(s.charAt(idx)) : UNDEFINED;
        }
        if (target == UNDEFINED || target == null) {
            throw new TemplateException("cannot read '" + JinjaValues.str(key) + "' of " + JinjaValues.typeName(target), line);
        }
        return UNDEFINED;
    }

    static Object slice(Object target, Object start, Object stop, Object step, int line) {
        List<Object> items;
        boolean isString = target instanceof String;
        if (isString) {
            items = new ArrayList<>();
            for (char c : ((String) target).toCharArray()) {
                items.add(String.valueOf(c));
            }
        } else if (target instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else {
            throw new TemplateException("cannot slice " + JinjaValues.typeName(target), line);
        }
        int n = items.size();
        int st = step == null ? 1 : (int) JinjaValues.num(step);
        if (st == 0) {
            throw new TemplateException("slice step cannot be zero", line);
        }
        int a = start == null ? (st > 0 ? 0 : n - 1) : clamp((int) JinjaValues.num(start), n, st);
        int b = stop == null ? (st > 0 ? n : -1) : clamp((int) JinjaValues.num(stop), n, st);
        List<Object> out = new ArrayList<>();
        for (int i = a; st > 0 ? i < b : i > b; i += st) {
            out.add(items.get(i));
        }
        if (isString) {
            StringBuilder sb = new StringBuilder();
            out.forEach(o -> sb.append(o));
            return sb.toString();
        }
        return out;
    }

    private static int clamp(int i, int n, int step) {
        if (i < 0) {
            i += n;
        }
        if (step > 0) {
            return Math.max(0, Math.min(i, n));
        }
        return Math.max(-1, Math.min(i, n - 1));
    }

    static Object negate(Object v, int line) {
        if (v instanceof Long l) {
            return -l;
        }
        if (v instanceof Double d) {
            return -d;
        }
        throw new TemplateException("bad operand for unary -: " + JinjaValues.typeName(v), line);
    }

    static Object binary(String op, Object a, Object b, int line) {
        switch (op) {
            case "==":
                return JinjaValues.eq(a, b);
            case "!=":
                return !JinjaValues.eq(a, b);
            case "<":
                return JinjaValues.compare(a, b, line) < 0;
            case "<=":
                return JinjaValues.compare(a, b, line) <= 0;
            case ">":
                return JinjaValues.compare(a, b, line) > 0;
            case ">=":
                return JinjaValues.compare(a, b, line) >= 0;
            case "~":
                return JinjaValues.str(a) + JinjaValues.str(b);
            case "in":
                return contains(b, a, line);
            default:
                break;
        }
        if (a == UNDEFINED || b == UNDEFINED) {
            throw new TemplateException("undefined value in '" + op + "' expression", line);
        }
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) {
                return x + y;
            }
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> out = new ArrayList<>(x);
                out.addAll(y);
                return out;
            }
        }
        if (op.equals("*") && a instanceof String s && b instanceof Long n) {
            return s.repeat((int) Math.max(0, n));
        }
        if (!JinjaValues.isNumber(a) || !JinjaValues.isNumber(b)) {
            throw new TemplateException("unsupported operand types for " + op + ": " + JinjaValues.typeName(a) + " and "
                    + JinjaValues.typeName(b), line);
        }
        boolean ints = !(a instanceof Double) && !(b instanceof Double);
        double x = JinjaValues.num(a);
        double y = JinjaValues.num(b);
        return switch (op) {
            case "+" -> ints ? (Object) ((long) x + (long) y) : (Object) (x + y);
            case "-" -> ints ? (Object) ((long) x - (long) y) : (Object) (x - y);
            case "*" -> ints ? (Object) ((long) x * (long) y) : (Object) (x * y);
            case "/" -> x / y;
            case "//" -> ints ? (Object) Math.floorDiv((long) x, (long) y) : (Object) Math.floor(x / y);
            case "%" -> ints ? (Object) Math.floorMod((long) x, (long) y) : (Object) (x - y * Math.floor(x / y));
            default -> throw new TemplateException("unsupported operator " + op, line);
        };
    }

    private static boolean contains(Object container, Object item, int line) {
        if (container instanceof String s) {
            return s.contains(JinjaValues.str(item));
        }
        if (container instanceof List<?> l) {
            return l.stream().anyMatch(x -> JinjaValues.eq(x, item));
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        }
        if (container == UNDEFINED) {
            return false;
        }
        throw new TemplateException("'in' needs a string, list or dict, got " + JinjaValues.typeName(container), line);
    }
}
