package io.mbllm.server.sched;

import io.mbllm.engine.generate.ContextLogitSource;
import io.mbllm.engine.generate.LogitSource;

/**
 * A slot's sequence as the generator sees it: the engine context, reported with the request's {@code num_ctx}
 * (which may be smaller than the context's capacity, so that a loaded context is reused), and an optional
 * {@link LogitConstraint} applied to every logits vector.
 */
final class SlotSource implements LogitSource {
    private final ContextLogitSource inner;
    private int limit;
    private LogitConstraint constraint;

    SlotSource(ContextLogitSource inner) {
        this.inner = inner;
        this.limit = inner.contextLength();
    }

    ContextLogitSource inner() {
        return inner;
    }

    int capacity() {
        return inner.contextLength();
    }

    void limit(int numCtx) {
        if (numCtx < 1 || numCtx > inner.contextLength()) throw new IllegalArgumentException("num_ctx " + numCtx);
        this.limit = numCtx;
    }

    void constraint(LogitConstraint c) {
        this.constraint = c;
    }

    @Override
    public int vocabSize() {
        return inner.vocabSize();
    }

    @Override
    public int contextLength() {
        return limit;
    }

    @Override
    public int position() {
        return inner.position();
    }

    @Override
    public void rewind(int newPosition) {
        inner.rewind(newPosition);
    }

    @Override
    public float[] evaluate(int[] tokens, int from, int count) {
        float[] logits = inner.evaluate(tokens, from, count);
        if (constraint != null) constraint.mask(logits);
        return logits;
    }

    @Override
    public float[] step(int token) {
        if (constraint != null) constraint.accept(token);
        float[] logits = inner.step(token);
        if (constraint != null) constraint.mask(logits);
        return logits;
    }
}
