package io.troupe.llm.chat;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python/Jinja value semantics over Java objects: {@code String}, {@code Long}, {@code Double},
 * {@code Boolean}, {@code List}, {@code Map}, {@code null} (none) and {@link #UNDEFINED}.
 * Truthiness, {@code str()}, {@code repr()}, JSON (as transformers' {@code tojson}: Python
 * {@code json.dumps} separators, non-ASCII kept), equality and ordering. Stateless.
 */
final class JinjaValues {
    /** A missing variable, attribute or key: falsy, renders as "", fails in arithmetic. */
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "Undefined";
        }
    };

    private JinjaValues() {
    }

    static boolean truthy(Object v) {
        if (v == null || v == UNDEFINED) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python {@code str()}; undefined renders empty. */
    static String str(Object v) {
        if (v == UNDEFINED) {
            return "";
        }
        if (v instanceof String s) {
            return s;
        }
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v == UNDEFINED) {
            return "";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
        }
        if (v instanceof Double d) {
            return d == Math.rint(d) && !Double.isInfinite(d) ? String.format("%.1f", d) : Double.toString(d);
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(repr(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (var e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        return String.valueOf(v);
    }

    /** JSON like Python's {@code json.dumps(v, ensure_ascii=False, indent=indent)}. */
    static String json(Object v, Integer indent) {
        StringBuilder sb = new StringBuilder();
        json(v, indent, 0, sb);
        return sb.toString();
    }

    private static void json(Object v, Integer indent, int depth, StringBuilder sb) {
        if (v == null || v == UNDEFINED) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Double) {
            sb.append(repr(v));
        } else if (v instanceof String s) {
            quote(s, sb);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? "," : "");
                newline(indent, depth + 1, sb, i > 0);
                json(l.get(i), indent, depth + 1, sb);
            }
            newline(indent, depth, sb, false);
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                sb.append(first ? "" : ",");
                newline(indent, depth + 1, sb, !first);
                quote(String.valueOf(e.getKey()), sb);
                sb.append(": ");
                json(e.getValue(), indent, depth + 1, sb);
                first = false;
            }
            newline(indent, depth, sb, false);
            sb.append('}');
        } else {
            quote(String.valueOf(v), sb);
        }
    }

    private static void newline(Integer indent, int depth, StringBuilder sb, boolean afterComma) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * depth));
        } else if (afterComma) {
            sb.append(' ');
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double num(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a == UNDEFINED || b == UNDEFINED) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            return num(a) == num(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Ordering for {@code < <= > >=}; numbers with numbers, strings with strings. */
    static int compare(Object a, Object b, int line) {
        if (isNumber(a) && isNumber(b)) {
            return Double.compare(num(a), num(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new TemplateException("cannot compare " + typeName(a) + " with " + typeName(b), line);
    }

    static String typeName(Object v) {
        if (v == null) {
            return "none";
        }
        if (v == UNDEFINED) {
            return "undefined";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof List<?>) {
            return "list";
        }
        if (v instanceof Map<?, ?>) {
            return "dict";
        }
        return v.getClass().getSimpleName();
    }
}
