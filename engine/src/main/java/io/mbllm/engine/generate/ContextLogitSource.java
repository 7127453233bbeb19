package io.mbllm.engine.generate;

import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;

/**
 * An engine {@link InferenceContext} as the {@link Generator}'s {@link LogitSource}. The generator never asks
 * past the context, so an overflow here is a bug and surfaces as an {@link IllegalStateException}.
 */
public final class ContextLogitSource implements LogitSource, AutoCloseable {
    private final InferenceContext context;

    public ContextLogitSource(InferenceContext context) {
        this.context = context;
    }

    /** The wrapped context. */
    public InferenceContext context() {
        return context;
    }

    @Override
    public int vocabSize() {
        return context.model().config().vocabSize();
    }

    @Override
    public int contextLength() {
        return context.contextLength();
    }

    @Override
    public int position() {
        return context.position();
    }

    @Override
    public void rewind(int newPosition) {
        context.rewind(newPosition);
    }

    @Override
    public float[] evaluate(int[] tokens, int from, int count) {
        try {
            return context.evaluate(tokens, from, count);
        } catch (ContextOverflowException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public float[] step(int token) {
        try {
            return context.step(token);
        } catch (ContextOverflowException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Closes the context (its thread pool, when it owns one). */
    @Override
    public void close() {
        context.close();
    }
}
