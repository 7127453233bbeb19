package io.mbllm.engine.eval;

/**
 * The statistics of a KL-divergence run against a base file, as llama-perplexity prints them.
 *
 * @param count        positions compared
 * @param pplQ         PPL of the model under test, {@code exp(mean NLL)} ± {@code PPL · σ}
 * @param pplBase      PPL of the base, from the stored 16-bit log-probabilities
 * @param corLnPpl     correlation of the per-position NLLs of both
 * @param lnPplRatio   {@code mean NLL_Q − mean NLL_base} ± (accounting for the covariance)
 * @param pplRatio     {@code exp(lnPplRatio)} ± {@code ratio · σ}
 * @param pplDiff      {@code PPL(Q) − PPL(base)} ±
 * @param kld          mean KL divergence ± {@code sqrt(var/(n − 1))}
 * @param kldValues    distribution of the per-position KLD
 * @param deltaP       mean of {@code q(target) − p(target)}
 * @param deltaPValues distribution of Δp
 * @param deltaPRms    RMS of Δp ±
 * @param sameTop      share of positions whose top-1 token agrees, ± {@code sqrt(s(1 − s)/(n − 1))}
 */
public record KldResult(int count, Estimate pplQ, Estimate pplBase, double corLnPpl, Estimate lnPplRatio,
                        Estimate pplRatio, Estimate pplDiff, Estimate kld, Distribution kldValues, Estimate deltaP,
                        Distribution deltaPValues, Estimate deltaPRms, Estimate sameTop) {}
