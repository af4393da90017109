package io.troupe.llm.chat;

import io.troupe.llm.chat.JinjaAst.Attr;
import io.troupe.llm.chat.JinjaAst.Binary;
import io.troupe.llm.chat.JinjaAst.Call;
import io.troupe.llm.chat.JinjaAst.Conditional;
import io.troupe.llm.chat.JinjaAst.DictExpr;
import io.troupe.llm.chat.JinjaAst.Expr;
import io.troupe.llm.chat.JinjaAst.Filter;
import io.troupe.llm.chat.JinjaAst.Index;
import io.troupe.llm.chat.JinjaAst.ListExpr;
import io.troupe.llm.chat.JinjaAst.Literal;
import io.troupe.llm.chat.JinjaAst.Name;
import io.troupe.llm.chat.JinjaAst.Node;
import io.troupe.llm.chat.JinjaAst.Slice;
import io.troupe.llm.chat.JinjaAst.Test;
import io.troupe.llm.chat.JinjaAst.Unary;
import io.troupe.llm.chat.JinjaExprLexer.Tok;
import io.troupe.llm.chat.JinjaExprLexer.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses lexed segments into a tree. Supports {@code if/elif/else}, {@code for ... in ... [if]}
 * (with tuple targets and {@code else}), {@code set} (plain and namespace attribute),
 * {@code break}/{@code continue}, and expressions with Jinja's precedence: conditional
 * expression, {@code or}, {@code and}, {@code not}, comparisons and {@code in}, {@code ~},
 * {@code + -}, {@code * / // %}, unary minus, then postfix attribute/subscript/slice/call and
 * {@code |filter} / {@code is test}. Other statements (macro, block, include, ...) are rejected
 * with their line. Not thread-safe (one parse per instance).
 */
final class JinjaParser {
    private static final Set<String> UNSUPPORTED = Set.of("macro", "call", "filter", "block", "extends", "include",
            "import", "from", "with", "raw", "autoescape", "generation", "do");

    private final List<JinjaLexer.Segment> segments;
    private int pos;
    private List<Tok> toks;
    private int tp;
    private int line;

    private JinjaParser(List<JinjaLexer.Segment> segments) {
        this.segments = segments;
    }

    static List<Node> parse(String template) {
        JinjaParser p = new JinjaParser(JinjaLexer.lex(template));
        List<Node> body = p.parseBody(Set.of());
        if (p.pos < p.segments.size()) {
            JinjaLexer.Segment s = p.segments.get(p.pos);
            throw new TemplateException("unexpected '{% " + s.body() + " %}'", s.line());
        }
        return body;
    }

    /** Parses nodes until a statement whose keyword is in {@code stops} (left unconsumed). */
    private List<Node> parseBody(Set<String> stops) {
        List<Node> out = new ArrayList<>();
        while (pos < segments.size()) {
            JinjaLexer.Segment s = segments.get(pos);
            line = s.line();
            switch (s.kind()) {
                case TEXT -> {
                    out.add(new JinjaAst.Text(s.body(), s.line()));
                    pos++;
                }
                case OUTPUT -> {
                    startTag(s);
                    out.add(new JinjaAst.Output(expression(), line));
                    expectEnd();
                    pos++;
                }
                case STATEMENT -> {
                    String kw = keyword(s.body());
                    if (stops.contains(kw)) {
                        return out;
                    }
                    out.add(statement(s, kw));
                }
            }
        }
        if (!stops.isEmpty()) {
            throw new TemplateException("missing {% " + String.join(" / ", stops) + " %}", line);
        }
        return out;
    }

    private Node statement(JinjaLexer.Segment s, String kw) {
        startTag(s);
        int at = s.line();
        tp++; // keyword
        switch (kw) {
            case "if" -> {
                List<Expr> conds = new ArrayList<>();
                List<List<Node>> bodies = new ArrayList<>();
                conds.add(expression());
                expectEnd();
                pos++;
                List<Node> elseBody = List.of();
                while (true) {
                    bodies.add(parseBody(Set.of("elif", "else", "endif")));
                    JinjaLexer.Segment stop = segments.get(pos);
                    String k = keyword(stop.body());
                    startTag(stop);
                    tp++;
                    if (k.equals("elif")) {
                        conds.add(expression());
                        expectEnd();
                        pos++;
                    } else if (k.equals("else")) {
                        expectEnd();
                        pos++;
                        elseBody = parseBody(Set.of("endif"));
                        pos++;
                        break;
                    } else {
                        expectEnd();
                        pos++;
                        break;
                    }
                }
                return new JinjaAst.If(conds, bodies, elseBody, at);
            }
            case "for" -> {
                List<String> targets = new ArrayList<>();
                targets.add(name());
                while (peek().is(",")) {
                    tp++;
                    targets.add(name());
                }
                expectName("in");
                Expr iterable = orExpr();
                Expr filter = null;
                if (peek().is("if")) {
                    tp++;
                    filter = orExpr();
                }
                if (peek().is("recursive")) {
                    throw new TemplateException("recursive loops are not supported", at);
                }
                expectEnd();
                pos++;
                List<Node> body = parseBody(Set.of("else", "endfor"));
                List<Node> elseBody = List.of();
                if (keyword(segments.get(pos).body()).equals("else")) {
                    pos++;
                    elseBody = parseBody(Set.of("endfor"));
                }
                pos++;
                return new JinjaAst.For(targets, iterable, filter, body, elseBody, at);
            }
            case "set" -> {
                String name = name();
                String attr = null;
                if (peek().is(".")) {
                    tp++;
                    attr = name();
                }
                if (!peek().is("=")) {
                    throw new TemplateException("block {% set %} ... {% endset %} is not supported", at);
                }
                tp++;
                Expr value = expression();
                expectEnd();
                pos++;
                return new JinjaAst.Set(name, attr, value, at);
            }
            case "break", "continue" -> {
                expectEnd();
                pos++;
                return kw.equals("break") ? new JinjaAst.Break(at) : new JinjaAst.Continue(at);
            }
            default -> {
                if (UNSUPPORTED.contains(kw)) {
                    throw new TemplateException("unsupported statement {% " + kw + " %}", at);
                }
                throw new TemplateException("unexpected statement {% " + kw + " %}", at);
            }
        }
    }

    private static String keyword(String body) {
        int i = 0;
        while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) {
            i++;
        }
        return body.substring(0, i);
    }

    private void startTag(JinjaLexer.Segment s) {
        line = s.line();
        toks = JinjaExprLexer.lex(s.body(), line);
        tp = 0;
    }

    // ---- expressions ----

    Expr expression() {
        Expr e = orExpr();
        if (peek().is("if")) {
            tp++;
            Expr cond = orExpr();
            Expr otherwise = null;
            if (peek().is("else")) {
                tp++;
                otherwise = expression();
            }
            return new Conditional(cond, e, otherwise, line);
        }
        return e;
    }

    private Expr orExpr() {
        Expr e = andExpr();
        while (peek().is("or")) {
            tp++;
            e = new Binary("or", e, andExpr(), line);
        }
        return e;
    }

    private Expr andExpr() {
        Expr e = notExpr();
        while (peek().is("and")) {
            tp++;
            e = new Binary("and", e, notExpr(), line);
        }
        return e;
    }

    private Expr notExpr() {
        if (peek().is("not")) {
            tp++;
            return new Unary("not", notExpr(), line);
        }
        return compare();
    }

    private Expr compare() {
        Expr e = concat();
        while (true) {
            Tok t = peek();
            if (t.type() == Type.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                tp++;
                e = new Binary(t.text(), e, concat(), line);
            } else if (t.is("in")) {
                tp++;
                e = new Binary("in", e, concat(), line);
            } else if (t.is("not") && toks.get(tp + 1).is("in")) {
                tp += 2;
                e = new Unary("not", new Binary("in", e, concat(), line), line);
            } else {
                return e;
            }
        }
    }

    private Expr concat() {
        Expr e = sum();
        while (peek().is("~")) {
            tp++;
            e = new Binary("~", e, sum(), line);
        }
        return e;
    }

    private Expr sum() {
        Expr e = product();
        while (peek().is("+") || peek().is("-")) {
            String op = toks.get(tp++).text();
            e = new Binary(op, e, product(), line);
        }
        return e;
    }

    private Expr product() {
        Expr e = unary();
        while (peek().is("*") || peek().is("/") || peek().is("//") || peek().is("%")) {
            String op = toks.get(tp++).text();
            e = new Binary(op, e, unary(), line);
        }
        return e;
    }

    private Expr unary() {
        if (peek().is("-")) {
            tp++;
            return new Unary("-", unary(), line);
        }
        if (peek().is("+")) {
            tp++;
            return unary();
        }
        return filters(postfix(primary()));
    }

    private Expr primary() {
        Tok t = toks.get(tp++);
        switch (t.type()) {
            case STRING -> {
                StringBuilder sb = new StringBuilder((String) t.value());
                while (peek().type() == Type.STRING) { // adjacent literals concatenate
                    sb.append((String) toks.get(tp++).value());
                }
                return new Literal(sb.toString(), line);
            }
            case INT, FLOAT -> {
                return new Literal(t.value(), line);
            }
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Literal(Boolean.TRUE, line);
                    case "false", "False" -> new Literal(Boolean.FALSE, line);
                    case "none", "None" -> new Literal(null, line);
                    default -> new Name(t.text(), line);
                };
            }
            case OP -> {
                if (t.text().equals("(")) {
                    Expr e = expression();
                    if (peek().is(",")) {
                        List<Expr> items = new ArrayList<>(List.of(e));
                        while (peek().is(",")) {
                            tp++;
                            if (peek().is(")")) {
                                break;
                            }
                            items.add(expression());
                        }
                        e = new ListExpr(items, line);
                    }
                    expect(")");
                    return e;
                }
                if (t.text().equals("[")) {
                    List<Expr> items = new ArrayList<>();
                    while (!peek().is("]")) {
                        items.add(expression());
                        if (!peek().is(",")) {
                            break;
                        }
                        tp++;
                    }
                    expect("]");
                    return new ListExpr(items, line);
                }
                if (t.text().equals("{")) {
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!peek().is("}")) {
                        keys.add(expression());
                        expect(":");
                        values.add(expression());
                        if (!peek().is(",")) {
                            break;
                        }
                        tp++;
                    }
                    expect("}");
                    return new DictExpr(keys, values, line);
                }
                throw new TemplateException("unexpected '" + t.text() + "'", line);
            }
            default -> throw new TemplateException("unexpected end of expression", line);
        }
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (peek().is(".")) {
                tp++;
                e = new Attr(e, name(), line);
            } else if (peek().is("[")) {
                tp++;
                Expr start = peek().is(":") ? null : expression();
                if (peek().is(":")) {
                    tp++;
                    Expr stop = peek().is("]") || peek().is(":") ? null : expression();
                    Expr step = null;
                    if (peek().is(":")) {
                        tp++;
                        step = peek().is("]") ? null : expression();
                    }
                    e = new Slice(e, start, stop, step, line);
                } else {
                    e = new Index(e, start, line);
                }
                expect("]");
            } else if (peek().is("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Call call(Expr callee) {
        expect("(");
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        while (!peek().is(")")) {
            if (peek().type() == Type.NAME && toks.get(tp + 1).is("=")) {
                kwNames.add(toks.get(tp).text());
                tp += 2;
                kwValues.add(expression());
            } else {
                args.add(expression());
            }
            if (!peek().is(",")) {
                break;
            }
            tp++;
        }
        expect(")");
        return new Call(callee, args, kwNames, kwValues, line);
    }

    private Expr filters(Expr e) {
        while (true) {
            if (peek().is("|")) {
                tp++;
                String name = name();
                Call c = peek().is("(") ? call(new Name(name, line)) : null;
                e = c == null ? new Filter(e, name, List.of(), List.of(), List.of(), line)
                        : new Filter(e, name, c.args(), c.kwNames(), c.kwValues(), line);
            } else if (peek().is("is")) {
                tp++;
                boolean negated = false;
                if (peek().is("not")) {
                    tp++;
                    negated = true;
                }
                String name = name();
                List<Expr> args = new ArrayList<>();
                if (peek().is("(")) {
                    args.addAll(call(new Name(name, line)).args());
                } else if (peek().type() == Type.STRING || peek().type() == Type.INT || peek().type() == Type.FLOAT) {
                    args.add(primary()); // "is equalto 3"
                }
                e = new Test(e, name, args, negated, line);
            } else {
                return e;
            }
        }
    }

    private Tok peek() {
        return toks.get(tp);
    }

    private String name() {
        Tok t = toks.get(tp++);
        if (t.type() != Type.NAME) {
            throw new TemplateException("expected a name, got '" + t.text() + "'", line);
        }
        return t.text();
    }

    private void expectName(String n) {
        if (!name().equals(n)) {
            throw new TemplateException("expected '" + n + "'", line);
        }
    }

    private void expect(String op) {
        Tok t = toks.get(tp++);
        if (!t.is(op)) {
            throw new TemplateException("expected '" + op + "', got '" + t.text() + "'", line);
        }
    }

    private void expectEnd() {
        if (peek().type() != Type.END) {
            throw new TemplateException("unexpected '" + peek().text() + "' (unsupported syntax?)", line);
        }
    }
}
