package io.mbllm.engine.train;

/**
 * {@code log Σ_i exp(s · z_i)} of one row of logits z times a scale s (1/T for a temperature T, 1 for plain
 * logits), as the training losses compute it: the largest float product {@code s · z_i} is subtracted, and the
 * exponentials, their sum and the log are taken in double. The evaluation code does not use this: it follows
 * llama-perplexity's own float/double mix ({@link io.mbllm.engine.eval.LogProbs}).
 */
public final class LogSumExp {
    private LogSumExp() {}

    /** {@code log Σ exp(z_i)} over {@code z[off .. off+n)}. */
    public static double of(float[] z, int off, int n) {
        return scaled(z, off, n, 1f);
    }

    /** {@code log Σ exp(scale · z_i)} over {@code z[off .. off+n)}; subtract it from {@code scale · z_i} for log-softmax. */
    public static double scaled(float[] z, int off, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, z[off + i] * scale);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp((double) z[off + i] * scale - max);
        return max + Math.log(sum);
    }
}
