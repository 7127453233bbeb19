package io.mbllm.engine.compare;

/**
 * A comparison cannot run with the given input: a model that does not load, variants with different
 * vocabularies, a prompt longer than the context, a text too short to score. The message says which.
 */
public final class CompareException extends Exception {
    private static final long serialVersionUID = 1L;

    public CompareException(String message) {
        super(message);
    }

    public CompareException(String message, Throwable cause) {
        super(message, cause);
    }
}
