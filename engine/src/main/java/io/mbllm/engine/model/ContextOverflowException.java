package io.mbllm.engine.model;

/** Evaluating more tokens would go past the context length ({@code num_ctx}) of an {@link InferenceContext}. */
public final class ContextOverflowException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int position;
    private final int requested;
    private final int contextLength;

    public ContextOverflowException(int position, int requested, int contextLength) {
        super("context overflow: " + requested + " token(s) at position " + position + " exceed num_ctx " + contextLength);
        this.position = position;
        this.requested = requested;
        this.contextLength = contextLength;
    }

    /** Tokens already in the context. */
    public int position() { return position; }

    /** Tokens the call tried to add. */
    public int requested() { return requested; }

    /** The context length. */
    public int contextLength() { return contextLength; }
}
