package io.mbllm.engine.template;

/**
 * A chat template failed to compile or render: a syntax error, a {@code raise_exception(...)} call from the
 * template itself, or a runtime error (undefined value used, wrong operand types, limits exceeded).
 * Carries the 1-based line and column in the template source where known (0 when unknown).
 */
public final class TemplateException extends Exception {
    /** What went wrong. */
    public enum Kind {
        /** The source is not valid Jinja (lexer or parser). */
        SYNTAX,
        /** The template called {@code raise_exception(message)}. */
        RAISED,
        /** Evaluation failed: undefined value, type error, unknown filter, resource limit... */
        RUNTIME
    }

    private final Kind kind;
    private final String detail;
    private final int line;
    private final int column;

    public TemplateException(Kind kind, String detail, int line, int column) {
        super(format(kind, detail, line, column));
        this.kind = kind;
        this.detail = detail;
        this.line = line;
        this.column = column;
    }

    TemplateException(Kind kind, String detail, int line, int column, Throwable cause) {
        this(kind, detail, line, column);
        initCause(cause);
    }

    private static String format(Kind kind, String detail, int line, int column) {
        String where = line > 0 ? " at line " + line + ", column " + column : "";
        return switch (kind) {
            case SYNTAX -> "template syntax error" + where + ": " + detail;
            case RAISED -> "template raised an exception" + where + ": " + detail;
            case RUNTIME -> "template error" + where + ": " + detail;
        };
    }

    public Kind kind() { return kind; }

    /** The message without the position prefix (for {@link Kind#RAISED}: the template's own text). */
    public String detail() { return detail; }

    /** 1-based line, 0 when unknown. */
    public int line() { return line; }

    /** 1-based column, 0 when unknown. */
    public int column() { return column; }
}
