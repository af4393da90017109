package io.troupe.llm.chat;

import static io.troupe.llm.chat.JinjaValues.UNDEFINED;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Filters ({@code |trim}), tests ({@code is defined}) and methods ({@code s.strip()},
 * {@code d.items()}) available to templates. Unknown names fail with the template line. Stateless.
 */
final class JinjaBuiltins {
    private JinjaBuiltins() {
    }

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kw, int line) {
        return switch (name) {
            case "trim" -> str(v, line).strip();
            case "length", "count" -> (long) size(v, line);
            case "tojson" -> JinjaValues.json(v, kw.get("indent") instanceof Long l ? Integer.valueOf(l.intValue()) : null);
            case "upper" -> str(v, line).toUpperCase(Locale.ROOT);
            case "lower" -> str(v, line).toLowerCase(Locale.ROOT);
            case "capitalize" -> {
                String s = str(v, line);
                yield s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            }
            case "title" -> title(str(v, line));
            case "string" -> JinjaValues.str(v);
            case "safe", "e", "escape" -> v; // no autoescaping in chat templates
            case "default", "d" -> {
                boolean boolMode = args.size() > 1 && JinjaValues.truthy(args.get(1));
                Object dflt = args.isEmpty() ? "" : args.get(0);
                yield v == UNDEFINED || (boolMode && !JinjaValues.truthy(v)) ? dflt : v;
            }
            case "first" -> iterable(v, line).isEmpty() ? UNDEFINED : iterable(v, line).get(0);
            case "last" -> {
                List<Object> l = iterable(v, line);
                yield l.isEmpty() ? UNDEFINED : l.get(l.size() - 1);
            }
            case "list" -> iterable(v, line);
            case "reverse" -> v instanceof String s ? new StringBuilder(s).reverse().toString()
                    : new ArrayList<>(iterable(v, line).reversed());
            case "join" -> {
                String sep = args.isEmpty() ? "" : JinjaValues.str(args.get(0));
                List<String> parts = new ArrayList<>();
                for (Object o : iterable(v, line)) {
                    parts.add(JinjaValues.str(o));
                }
                yield String.join(sep, parts);
            }
            case "replace" -> str(v, line).replace(JinjaValues.str(args.get(0)), JinjaValues.str(args.get(1)));
            case "int" -> v instanceof String s ? parseLong(s) : (long) JinjaValues.num(v);
            case "float" -> v instanceof String s ? Double.parseDouble(s.strip()) : JinjaValues.num(v);
            case "abs" -> v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(JinjaValues.num(v));
            case "items" -> items(v, line);
            default -> throw new TemplateException("unsupported filter '" + name + "'", line);
        };
    }

    static boolean test(String name, Object v, List<Object> args, int line) {
        return switch (name) {
            case "defined" -> v != UNDEFINED;
            case "undefined" -> v == UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?>;
            case "sequence", "iterable" -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>;
            case "equalto", "eq", "sameas" -> JinjaValues.eq(v, args.get(0));
            case "odd" -> v instanceof Long l && l % 2 != 0;
            case "even" -> v instanceof Long l && l % 2 == 0;
            default -> throw new TemplateException("unsupported test '" + name + "'", line);
        };
    }

    /** A method call on a value: {@code target.name(args)}. */
    static Object method(Object target, String name, List<Object> args, int line) {
        if (target instanceof String s) {
            return switch (name) {
                case "strip" -> args.isEmpty() ? s.strip() : stripChars(s, JinjaValues.str(args.get(0)), true, true);
                case "lstrip" -> args.isEmpty() ? s.stripLeading() : stripChars(s, JinjaValues.str(args.get(0)), true, false);
                case "rstrip" -> args.isEmpty() ? s.stripTrailing() : stripChars(s, JinjaValues.str(args.get(0)), false, true);
                case "upper" -> s.toUpperCase(Locale.ROOT);
                case "lower" -> s.toLowerCase(Locale.ROOT);
                case "title" -> title(s);
                case "capitalize" -> filter("capitalize", s, args, Map.of(), line);
                case "startswith" -> s.startsWith(JinjaValues.str(args.get(0)));
                case "endswith" -> s.endsWith(JinjaValues.str(args.get(0)));
                case "replace" -> s.replace(JinjaValues.str(args.get(0)), JinjaValues.str(args.get(1)));
                case "split" -> split(s, args.isEmpty() || args.get(0) == null ? null : JinjaValues.str(args.get(0)));
                case "find" -> (long) s.indexOf(JinjaValues.str(args.get(0)));
                default -> throw new TemplateException("unsupported string method '" + name + "'", line);
            };
        }
        if (target instanceof Map<?, ?> m) {
            return switch (name) {
                case "items" -> items(m, line);
                case "keys" -> new ArrayList<Object>(m.keySet());
                case "values" -> new ArrayList<Object>(m.values());
                case "get" -> m.containsKey(args.get(0)) ? m.get(args.get(0)) : args.size() > 1 ? args.get(1) : null;
                default -> throw new TemplateException("unsupported dict method '" + name + "'", line);
            };
        }
        throw new TemplateException("'" + JinjaValues.typeName(target) + "' has no method '" + name + "'", line);
    }

    static List<Object> iterable(Object v, int line) {
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        if (v == UNDEFINED) {
            return List.of();
        }
        throw new TemplateException("'" + JinjaValues.typeName(v) + "' is not iterable", line);
    }

    private static int size(Object v, int line) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof Collection<?> c) {
            return c.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        throw new TemplateException("object of type '" + JinjaValues.typeName(v) + "' has no length", line);
    }

    private static List<Object> items(Object v, int line) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new TemplateException("items() needs a dict, got " + JinjaValues.typeName(v), line);
        }
        List<Object> out = new ArrayList<>();
        m.forEach((k, val) -> out.add(java.util.Arrays.asList(k, val)));
        return out;
    }

    private static String str(Object v, int line) {
        if (v == UNDEFINED) {
            return "";
        }
        return JinjaValues.str(v);
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetterOrDigit(c);
        }
        return sb.toString();
    }

    private static String stripChars(String s, String chars, boolean left, boolean right) {
        int a = 0;
        int b = s.length();
        while (left && a < b && chars.indexOf(s.charAt(a)) >= 0) {
            a++;
        }
        while (right && b > a && chars.indexOf(s.charAt(b - 1)) >= 0) {
            b--;
        }
        return s.substring(a, b);
    }

    private static List<Object> split(String s, String sep) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            for (String p : s.strip().split("\\s+")) {
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
            return out;
        }
        int from = 0;
        for (int i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, from)) {
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
