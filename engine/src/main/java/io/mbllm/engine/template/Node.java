package io.mbllm.engine.template;

import java.util.List;

/** Statement nodes of the template AST. */
sealed interface Node {
    record Text(String text) implements Node {}
    record Output(Loc loc, Expr expr) implements Node {}
    record If(Loc loc, List<Expr> conditions, List<List<Node>> bodies, List<Node> orElse) implements Node {}
    record For(Loc loc, List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> orElse) implements Node {}
    /** {@code set a = v}, {@code set a, b = v} or {@code set ns.attr = v} (attrOf non-null). */
    record Set(Loc loc, List<String> names, Expr attrOf, String attr, Expr value) implements Node {}
    /** {@code set name | filters %}body{% endset %}}; filters apply to the captured text. */
    record SetBlock(Loc loc, String name, List<Expr.Filter> filters, List<Node> body) implements Node {}
    record MacroDef(Loc loc, String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node {}
    /** {@code filter f %}body{% endfilter %}}: the filter chain is applied to a placeholder value. */
    record FilterBlock(Loc loc, List<Expr.Filter> filters, List<Node> body) implements Node {}
    /** {@code generation} (Hugging Face training marker) and other transparent wrappers. */
    record Scope(List<Node> body) implements Node {}
    record Do(Loc loc, Expr expr) implements Node {}
    record Break(Loc loc) implements Node {}
    record Continue(Loc loc) implements Node {}
}
