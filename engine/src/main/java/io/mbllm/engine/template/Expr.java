package io.mbllm.engine.template;

import java.util.List;

/** Expression nodes of the template AST. */
sealed interface Expr {
    Loc loc();

    /** A literal: string, integer (Long), float (Double), boolean or none (null). */
    record Const(Loc loc, Object value) implements Expr {}
    record Name(Loc loc, String name) implements Expr {}
    record ListLit(Loc loc, List<Expr> items) implements Expr {}
    record TupleLit(Loc loc, List<Expr> items) implements Expr {}
    record DictLit(Loc loc, List<Expr> keys, List<Expr> values) implements Expr {}
    record GetAttr(Loc loc, Expr target, String name) implements Expr {}
    record GetItem(Loc loc, Expr target, Expr key) implements Expr {}
    /** {@code target[start:stop:step]}; absent parts are null. */
    record Slice(Loc loc, Expr target, Expr start, Expr stop, Expr step) implements Expr {}
    record Call(Loc loc, Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr {}
    record Filter(Loc loc, Expr value, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr {}
    record Test(Loc loc, Expr value, String name, List<Expr> args, boolean negated) implements Expr {}
    record Not(Loc loc, Expr operand) implements Expr {}
    record Neg(Loc loc, Expr operand) implements Expr {}
    record And(Loc loc, Expr left, Expr right) implements Expr {}
    record Or(Loc loc, Expr left, Expr right) implements Expr {}
    record Binary(Loc loc, BinOp op, Expr left, Expr right) implements Expr {}
    /** A chain {@code a < b <= c}: ops.get(i) compares operands.get(i) and operands.get(i + 1). */
    record Compare(Loc loc, List<Expr> operands, List<CmpOp> ops) implements Expr {}
    /** {@code then if cond else otherwise}; otherwise is null when absent (yields undefined). */
    record Cond(Loc loc, Expr cond, Expr then, Expr otherwise) implements Expr {}

    enum BinOp { ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, CONCAT }

    enum CmpOp { EQ, NE, LT, LE, GT, GE, IN, NOT_IN }
}
