package io.mbllm.engine.eval;

/** A value with its one-sigma uncertainty, printed as {@code value ± error}. */
public record Estimate(double value, double error) {
    /**
     * llama-perplexity's {@code mean_and_uncertainty}: the mean of {@code count} samples from their sum and sum
     * of squares, with {@code sqrt(var / (count − 1))}; the uncertainty is 0 when the variance is not positive or
     * there are 10 samples or fewer.
     */
    public static Estimate mean(double sum, double sum2, long count) {
        if (count < 1) return new Estimate(0, 0);
        double f = sum / count;
        double df = sum2 / count - f * f;
        df = df > 0 && count > 10 ? Math.sqrt(df / (count - 1)) : 0;
        return new Estimate(f, df);
    }
}
