package io.mbllm.engine.eval;

/**
 * Log-softmax of one row of raw logits, computed as llama-perplexity does: the maximum in float, the sum of
 * {@code exp(z - max)} accumulated in double, {@code log p(t) = z_t - max - log(sum)}. llama-perplexity keeps
 * {@code log(sum)} in double for perplexity ({@link #nll}) and rounds it to float in its KL-divergence mode
 * ({@link #logSumExpAboveMax}).
 * The training losses use {@link io.mbllm.engine.train.LogSumExp} (all in double) instead.
 */
public final class LogProbs {
    private LogProbs() {}

    /** The largest of {@code z[off .. off+n)}. */
    public static float max(float[] z, int off, int n) {
        float m = z[off];
        for (int i = 1; i < n; i++) m = Math.max(m, z[off + i]);
        return m;
    }

    /** {@code Σ exp(z_i - max)} in double, each term rounded to float as C's {@code expf} gives it. */
    public static double sumExp(float[] z, int off, int n, float max) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (float) Math.exp(z[off + i] - max);
        return sum;
    }

    /**
     * {@code log Σ exp(z_i − max)} rounded to float, as the KL-divergence mode keeps it (the base file's encoder and
     * the comparison).
     */
    public static float logSumExpAboveMax(float[] z, int off, int n, float max) {
        return (float) Math.log(sumExp(z, off, n, max));
    }

    /** Negative log-likelihood of {@code target}: {@code log Σ exp(z) − z_target}. */
    public static double nll(float[] z, int off, int n, int target) {
        float m = max(z, off, n);
        double sum = sumExp(z, off, n, m);
        // log(sum) stays double here, unlike logSumExpAboveMax: llama-perplexity's perplexity path does not round it
        return -(z[off + target] - m - Math.log(sum));
    }

    /** Index of the largest logit; the first one wins a tie. */
    public static int argmax(float[] z, int off, int n) {
        int best = 0;
        float m = z[off];
        for (int i = 1; i < n; i++) {
            if (z[off + i] > m) {
                m = z[off + i];
                best = i;
            }
        }
        return best;
    }
}
