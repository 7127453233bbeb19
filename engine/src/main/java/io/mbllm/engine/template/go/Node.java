package io.mbllm.engine.template.go;

import java.util.List;

/**
 * Statement-level nodes of a parsed Go template. {@code pos} is a character offset in the source and
 * {@code src} the source text of the action, used for execution error messages.
 */
sealed interface Node {

    /** Literal text copied to the output. */
    record Text(String text) implements Node {
    }

    /** {@code {{pipeline}}}: evaluates and prints unless the pipeline declares variables. */
    record Action(int pos, String src, Pipeline pipe) implements Node {
    }

    /** {@code {{if}}}; an {@code else if} chain is a nested If as the sole element of {@code elseList}. */
    record If(int pos, String src, Pipeline pipe, List<Node> list, List<Node> elseList) implements Node {
    }

    /** {@code {{with}}}: like If, but the body runs with dot set to the value. */
    record With(int pos, String src, Pipeline pipe, List<Node> list, List<Node> elseList) implements Node {
    }

    /** {@code {{range}}} over a list, map or integer; {@code elseList} runs when there is nothing to iterate. */
    record Range(int pos, String src, Pipeline pipe, List<Node> list, List<Node> elseList) implements Node {
    }

    /** {@code {{template "name" pipeline}}}; {@code pipe} is null when no argument is given. */
    record TemplateCall(int pos, String src, String name, Pipeline pipe) implements Node {
    }

    /** {@code {{break}}} inside a range. */
    record Break(int pos, String src) implements Node {
    }

    /** {@code {{continue}}} inside a range. */
    record Continue(int pos, String src) implements Node {
    }

    /**
     * A pipeline: optional variable declarations ({@code :=}) or assignments ({@code =}), then commands
     * separated by {@code |}.
     */
    record Pipeline(int pos, boolean isAssign, List<String> decl, List<Command> cmds) {
    }

    /** One pipeline stage: an operand or a function followed by arguments. */
    record Command(int pos, List<Arg> args) {
    }

    /** Operands inside commands. */
    sealed interface Arg {
        /** Source position. */
        int pos();
    }

    /** {@code .A.B.C} relative to dot. */
    record FieldArg(int pos, List<String> idents) implements Arg {
    }

    /** {@code $x.A.B}: {@code name} is "$x" (or "$"), {@code fields} the trailing field chain. */
    record VariableArg(int pos, String name, List<String> fields) implements Arg {
    }

    /** {@code .} */
    record DotArg(int pos) implements Arg {
    }

    /** {@code nil} */
    record NilArg(int pos) implements Arg {
    }

    /** {@code true} / {@code false} */
    record BoolArg(int pos, boolean value) implements Arg {
    }

    /** A string literal, already unquoted. */
    record StringArg(int pos, String value) implements Arg {
    }

    /**
     * A numeric constant. {@code value} is its Go "ideal constant" conversion: {@link Long} for integer text,
     * {@link Double} for float text (contains {@code . e E p P}, not hex int, not a character constant).
     */
    record NumberArg(int pos, String text, Object value) implements Arg {
    }

    /** A function name. */
    record IdentifierArg(int pos, String name) implements Arg {
    }

    /** A parenthesized pipeline. */
    record PipeArg(int pos, Pipeline pipe) implements Arg {
    }

    /** Fields applied to a non-field operand, e.g. {@code (index .X 0).Name}. */
    record ChainArg(int pos, Arg node, List<String> fields) implements Arg {
    }
}
