package io.mbllm.server.modelfile;

/**
 * A Modelfile cannot be parsed. The message is Ollama's text ({@code command must be one of ...},
 * {@code unknown parameter 'x'}, {@code no FROM line}, ...), prefixed with {@code (line N): } when the error
 * belongs to a line.
 */
public final class ModelfileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final String reason;

    /** An error on 1-based {@code line}, or on no particular line when {@code line <= 0}. */
    public ModelfileException(int line, String reason) {
        super(line > 0 ? "(line " + line + "): " + reason : reason);
        this.line = Math.max(0, line);
        this.reason = reason;
    }

    /** An error that belongs to no line ({@code no FROM line}, {@code unexpected EOF: ...}). */
    public ModelfileException(String reason) {
        this(0, reason);
    }

    /** 1-based line of the error, or 0 when it belongs to no line. */
    public int line() {
        return line;
    }

    /** The message without the line prefix. */
    public String reason() {
        return reason;
    }
}
