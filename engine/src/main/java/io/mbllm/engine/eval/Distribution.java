package io.mbllm.engine.eval;

import java.util.Arrays;

/**
 * Order statistics of a sample as llama-perplexity reports them: the percentiles interpolate linearly at rank
 * {@code f·(n − 1)} of the sorted values (in float, as the tool computes them), the median is the middle value or
 * the mean of the two middle values.
 */
public record Distribution(double min, double p0_1, double p1, double p5, double p10, double p25, double median,
                           double p75, double p90, double p95, double p99, double p99_9, double max) {

    /** The statistics of {@code values[0 .. n)} (sorted in place). */
    public static Distribution of(float[] values, int n) {
        if (n < 1) throw new IllegalArgumentException("no values");
        Arrays.sort(values, 0, n);
        float median = n % 2 == 0 ? 0.5f * (values[n / 2] + values[n / 2 - 1]) : values[n / 2];
        return new Distribution(values[0], percentile(values, n, 0.001f), percentile(values, n, 0.010f),
                percentile(values, n, 0.050f), percentile(values, n, 0.100f), percentile(values, n, 0.250f), median,
                percentile(values, n, 0.750f), percentile(values, n, 0.900f), percentile(values, n, 0.950f),
                percentile(values, n, 0.990f), percentile(values, n, 0.999f), values[n - 1]);
    }

    /** The {@code fraction} percentile of the sorted {@code values[0 .. n)}. */
    public static float percentile(float[] sorted, int n, float fraction) {
        if (fraction <= 0) return sorted[0];
        if (fraction >= 1) return sorted[n - 1];
        float p = fraction * (n - 1);
        int ip = (int) p;
        p -= ip;
        return (1 - p) * sorted[ip] + p * sorted[Math.min(ip + 1, n - 1)];
    }
}
