package io.mbllm.engine.generate;

import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.kernels.Ops;

/** Greedy (temperature 0) decoding: always the most likely token; ties go to the lower id. */
public final class Greedy {
    private Greedy() {}

    /** The id of the largest logit (lowest id on ties). */
    public static int argmax(float[] logits) {
        return Ops.argmax(logits, 0, logits.length);
    }

    /**
     * Evaluates {@code prompt} as one batch (in chunks of the context's batch size), then generates
     * {@code steps} tokens one at a time, feeding each back. Does not stop at end-of-generation tokens.
     *
     * @return the generated ids
     */
    public static int[] generate(InferenceContext ctx, int[] prompt, int steps) throws ContextOverflowException {
        int[] out = new int[steps];
        if (steps == 0) return out;
        float[] logits = ctx.evaluate(prompt);
        for (int i = 0; i < steps; i++) {
            out[i] = argmax(logits);
            if (i + 1 < steps) logits = ctx.step(out[i]);
        }
        return out;
    }
}
