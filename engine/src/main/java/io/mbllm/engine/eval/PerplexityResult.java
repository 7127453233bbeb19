package io.mbllm.engine.eval;

/**
 * The outcome of a perplexity run.
 *
 * @param contextLength C, tokens per chunk
 * @param chunks        chunks evaluated
 * @param tokensScored  targets scored: {@code chunks · (C − 1 − C/2)}
 * @param meanNll       mean negative log-likelihood over all targets
 * @param ppl           {@code exp(meanNll)}
 * @param pplError      {@code ppl · sqrt((mean(NLL²) − mean(NLL)²)/(n − 1))}, NaN when the variance is not positive
 * @param runningPpl    PPL over chunks 1 … k after each chunk k (what llama-perplexity prints as {@code [k]x})
 */
public record PerplexityResult(int contextLength, int chunks, int tokensScored, double meanNll, double ppl,
                               double pplError, double[] runningPpl) {
    @Override
    public double[] runningPpl() {
        return runningPpl.clone();
    }
}
