package io.mbllm.engine.template.go;

/**
 * A syntax error found while parsing a Go template, or an error raised while executing one.
 *
 * <p>The message follows Go's {@code text/template} shape:
 * {@code template: NAME:LINE:COL: DETAIL} for syntax errors and
 * {@code template: NAME:LINE:COL: executing "NAME" at <ACTION>: DETAIL} for execution errors.
 */
public final class GoTemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String action;
    private final String detail;

    /**
     * @param templateName name of the template ("" for the unnamed root)
     * @param line 1-based line of the error, 0 when unknown
     * @param column 1-based column (in characters) of the error, 0 when unknown
     * @param action source text of the failing action for execution errors, {@code null} for syntax errors
     * @param detail what went wrong
     */
    public GoTemplateException(String templateName, int line, int column, String action, String detail) {
        super(format(templateName, line, column, action, detail));
        this.line = line;
        this.column = column;
        this.action = action;
        this.detail = detail;
    }

    private static String format(String name, int line, int column, String action, String detail) {
        StringBuilder sb = new StringBuilder("template: ").append(name);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (action != null) {
            sb.append("executing \"").append(name).append("\" at <").append(action).append(">: ");
        }
        return sb.append(detail).toString();
    }

    /** 1-based line of the error, 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column of the error, 0 when unknown. */
    public int column() {
        return column;
    }

    /** Source text of the action being executed, or {@code null} for a syntax error. */
    public String action() {
        return action;
    }

    /** True when the error was raised during execution rather than parsing. */
    public boolean isExecutionError() {
        return action != null;
    }

    /** The error description without the location prefix. */
    public String detail() {
        return detail;
    }
}
