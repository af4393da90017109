package io.troupe.llm.chat;

import java.util.List;

/** The syntax tree of a parsed template: statements ({@link Node}) and expressions ({@link Expr}). Immutable. */
final class JinjaAst {
    private JinjaAst() {
    }

    sealed interface Node {
        int line();
    }

    record Text(String text, int line) implements Node {
    }

    record Output(Expr expr, int line) implements Node {
    }

    /** if/elif chain: conditions[i] guards bodies[i]; elseBody may be empty. */
    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> elseBody, int line) implements Node {
    }

    /** for targets in iterable [if filter]: body [else elseBody]. */
    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> elseBody, int line) implements Node {
    }

    /** set name = value, or set name.attr = value (namespace attribute) when attr is not null. */
    record Set(String name, String attr, Expr value, int line) implements Node {
    }

    record Break(int line) implements Node {
    }

    record Continue(int line) implements Node {
    }

    sealed interface Expr {
        int line();
    }

    record Literal(Object value, int line) implements Expr {
    }

    record Name(String name, int line) implements Expr {
    }

    record ListExpr(List<Expr> items, int line) implements Expr {
    }

    record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }

    record Attr(Expr target, String name, int line) implements Expr {
    }

    record Index(Expr target, Expr index, int line) implements Expr {
    }

    /** target[start:stop:step]; absent parts are null. */
    record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    record Call(Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line) implements Expr {
    }

    record Filter(Expr target, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line) implements Expr {
    }

    record Test(Expr target, String name, List<Expr> args, boolean negated, int line) implements Expr {
    }

    record Unary(String op, Expr operand, int line) implements Expr {
    }

    record Binary(String op, Expr left, Expr right, int line) implements Expr {
    }

    record Conditional(Expr condition, Expr then, Expr otherwise, int line) implements Expr {
    }
}
