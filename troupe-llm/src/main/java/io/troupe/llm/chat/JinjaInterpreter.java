package io.troupe.llm.chat;

import static io.troupe.llm.chat.JinjaValues.UNDEFINED;

import io.troupe.llm.chat.JinjaAst.Expr;
import io.troupe.llm.chat.JinjaAst.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Scoping follows Jinja: a {@code for} body gets its own scope, so a
 * {@code set} inside a loop does not leak out (use {@code namespace()} for that); {@code if}
 * bodies share the enclosing scope. Globals: {@code raise_exception(msg)} and
 * {@code namespace(**kw)}. One instance per render; not thread-safe.
 */
final class JinjaInterpreter {
    /** A {@code namespace()} object: attributes assignable with {@code set ns.attr = ...}. */
    static final class Namespace extends LinkedHashMap<String, Object> {
    }

    private static final class LoopControl extends RuntimeException {
        final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private final StringBuilder out = new StringBuilder();

    JinjaInterpreter(Map<String, Object> globals) {
        scopes.push(new HashMap<>(globals));
    }

    String render(List<Node> nodes) {
        try {
            exec(nodes);
        } catch (LoopControl e) {
            throw new TemplateException("break/continue outside a loop", 0);
        }
        return out.toString();
    }

    private void exec(List<Node> nodes) {
        for (Node n : nodes) {
            exec(n);
        }
    }

    private void exec(Node node) {
        switch (node) {
            case JinjaAst.Text t -> out.append(t.text());
            case JinjaAst.Output o -> out.append(JinjaValues.str(eval(o.expr())));
            case JinjaAst.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (JinjaValues.truthy(eval(i.conditions().get(k)))) {
                        exec(i.bodies().get(k));
                        return;
                    }
                }
                exec(i.elseBody());
            }
            case JinjaAst.For f -> execFor(f);
            case JinjaAst.Set s -> {
                Object v = eval(s.value());
                if (s.attr() == null) {
                    scopes.peek().put(s.name(), v);
                } else if (lookup(s.name()) instanceof Namespace ns) {
                    ns.put(s.attr(), v);
                } else {
                    throw new TemplateException("cannot set attribute of '" + s.name() + "' (only namespace objects)", s.line());
                }
            }
            case JinjaAst.Break b -> throw new LoopControl(true);
            case JinjaAst.Continue c -> throw new LoopControl(false);
        }
    }

    private void execFor(JinjaAst.For f) {
        List<Object> items = new ArrayList<>();
        Object iterable = eval(f.iterable());
        for (Object item : JinjaBuiltins.iterable(iterable instanceof Map<?, ?> m ? List.copyOf(m.keySet()) : iterable, f.line())) {
            if (f.filter() == null) {
                items.add(item);
            } else {
                scopes.push(new HashMap<>());
                bind(f, item);
                boolean keep = JinjaValues.truthy(eval(f.filter()));
                scopes.pop();
                if (keep) {
                    items.add(item);
                }
            }
        }
        if (items.isEmpty()) {
            exec(f.elseBody());
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> scope = new HashMap<>();
            scope.put("loop", loop(items, i));
            scopes.push(scope);
            try {
                bind(f, items.get(i));
                exec(f.body());
            } catch (LoopControl lc) {
                if (lc.isBreak) {
                    scopes.pop();
                    break;
                }
            } finally {
                if (scopes.peek() == scope) {
                    scopes.pop();
                }
            }
        }
    }

    private void bind(JinjaAst.For f, Object item) {
        if (f.targets().size() == 1) {
            scopes.peek().put(f.targets().get(0), item);
            return;
        }
        List<Object> parts = JinjaBuiltins.iterable(item, f.line());
        if (parts.size() != f.targets().size()) {
            throw new TemplateException("cannot unpack " + parts.size() + " values into " + f.targets().size(), f.line());
        }
        for (int k = 0; k < parts.size(); k++) {
            scopes.peek().put(f.targets().get(k), parts.get(k));
        }
    }

    private static Map<String, Object> loop(List<Object> items, int i) {
        Map<String, Object> loop = new HashMap<>();
        int n = items.size();
        loop.put("index0", (long) i);
        loop.put("index", (long) i + 1);
        loop.put("revindex0", (long) (n - i - 1));
        loop.put("revindex", (long) (n - i));
        loop.put("first", i == 0);
        loop.put("last", i == n - 1);
        loop.put("length", (long) n);
        loop.put("previtem", i > 0 ? items.get(i - 1) : UNDEFINED);
        loop.put("nextitem", i + 1 < n ? items.get(i + 1) : UNDEFINED);
        return loop;
    }

    private Object lookup(String name) {
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(name)) {
                return scope.get(name);
            }
        }
        return UNDEFINED;
    }

    Object eval(Expr e) {
        return switch (e) {
            case JinjaAst.Literal l -> l.value();
            case JinjaAst.Name n -> lookup(n.name());
            case JinjaAst.ListExpr l -> {
                List<Object> list = new ArrayList<>();
                l.items().forEach(x -> list.add(eval(x)));
                yield list;
            }
            case JinjaAst.DictExpr d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    map.put(eval(d.keys().get(i)), eval(d.values().get(i)));
                }
                yield map;
            }
            case JinjaAst.Attr a -> JinjaOperators.getItem(eval(a.target()), a.name(), a.line());
            case JinjaAst.Index i -> JinjaOperators.getItem(eval(i.target()), eval(i.index()), i.line());
            case JinjaAst.Slice s -> JinjaOperators.slice(eval(s.target()), s.start() == null ? null : eval(s.start()),
                    s.stop() == null ? null : eval(s.stop()), s.step() == null ? null : eval(s.step()), s.line());
            case JinjaAst.Call c -> call(c);
            case JinjaAst.Filter f -> {
                Map<String, Object> kw = new HashMap<>();
                for (int i = 0; i < f.kwNames().size(); i++) {
                    kw.put(f.kwNames().get(i), eval(f.kwValues().get(i)));
                }
                yield JinjaBuiltins.filter(f.name(), eval(f.target()), evalAll(f.args()), kw, f.line());
            }
            case JinjaAst.Test t -> JinjaBuiltins.test(t.name(), eval(t.target()), evalAll(t.args()), t.line()) != t.negated();
            case JinjaAst.Unary u -> u.op().equals("not") ? !JinjaValues.truthy(eval(u.operand()))
                    : JinjaOperators.negate(eval(u.operand()), u.line());
            case JinjaAst.Binary b -> switch (b.op()) {
                case "and" -> {
                    Object l = eval(b.left());
                    yield JinjaValues.truthy(l) ? eval(b.right()) : l;
                }
                case "or" -> {
                    Object l = eval(b.left());
                    yield JinjaValues.truthy(l) ? l : eval(b.right());
                }
                default -> JinjaOperators.binary(b.op(), eval(b.left()), eval(b.right()), b.line());
            };
            case JinjaAst.Conditional c -> JinjaValues.truthy(eval(c.condition())) ? eval(c.then())
                    : c.otherwise() == null ? UNDEFINED : eval(c.otherwise());
        };
    }

    private List<Object> evalAll(List<Expr> exprs) {
        List<Object> out = new ArrayList<>(exprs.size());
        exprs.forEach(x -> out.add(eval(x)));
        return out;
    }

    private Object call(JinjaAst.Call c) {
        List<Object> args = evalAll(c.args());
        if (c.callee() instanceof JinjaAst.Attr a) {
            return JinjaBuiltins.method(eval(a.target()), a.name(), args, c.line());
        }
        if (c.callee() instanceof JinjaAst.Name n && lookup(n.name()) == UNDEFINED) {
            switch (n.name()) {
                case "raise_exception" -> throw new TemplateException(
                        "template raised: " + (args.isEmpty() ? "" : JinjaValues.str(args.get(0))), c.line());
                case "namespace" -> {
                    Namespace ns = new Namespace();
                    for (int i = 0; i < c.kwNames().size(); i++) {
                        ns.put(c.kwNames().get(i), eval(c.kwValues().get(i)));
                    }
                    return ns;
                }
                case "range" -> {
                    long start = args.size() > 1 ? (long) JinjaValues.num(args.get(0)) : 0;
                    long stop = (long) JinjaValues.num(args.get(args.size() > 1 ? 1 : 0));
                    List<Object> r = new ArrayList<>();
                    for (long i = start; i < stop; i++) {
                        r.add(i);
                    }
                    return r;
                }
                default -> throw new TemplateException("unknown function '" + n.name() + "'", c.line());
            }
        }
        throw new TemplateException("unsupported call", c.line());
    }
}
