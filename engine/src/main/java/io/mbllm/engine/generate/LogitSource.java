package io.mbllm.engine.generate;

/**
 * What the {@link Generator} needs from a running model sequence (an inference context with its KV cache).
 * The generator never asks for more tokens than {@link #contextLength()} holds.
 */
public interface LogitSource {
    /** Tokens in the vocabulary (length of every logits array). */
    int vocabSize();

    /** {@code num_ctx}: most tokens the sequence holds. */
    int contextLength();

    /** Tokens currently in the sequence (the position of the next one). */
    int position();

    /** Forgets the tokens at positions {@code >= newPosition} (0 &le; newPosition &le; position). */
    void rewind(int newPosition);

    /**
     * Appends {@code tokens[from .. from+count)} (count &ge; 1) as one batch and returns the logits after the
     * last; the array may be reused by the next call.
     */
    float[] evaluate(int[] tokens, int from, int count);

    /** Appends one token and returns the logits for the next (the array may be reused by the next call). */
    float[] step(int token);
}
