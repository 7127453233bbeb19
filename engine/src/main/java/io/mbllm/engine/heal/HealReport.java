package io.mbllm.engine.heal;

import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.eval.PerplexityResult;

/**
 * What a healing run reached, on the held-out text.
 *
 * @param teacher       the teacher's own perplexity there
 * @param before        the plain student against the teacher
 * @param after         the student with the written adapter against the teacher
 * @param adapterBytes  size of the adapter file
 * @param studentBytes  size of the student model file
 * @param parameters    adapter parameters trained
 * @param trainTokens   tokens in the training set
 * @param firstLoss     distillation loss of the first step (before any update)
 * @param lastLoss      distillation loss of the last step
 * @param trainSeconds  wall time of the optimizer steps
 */
public record HealReport(PerplexityResult teacher, KldResult before, KldResult after, long adapterBytes,
                         long studentBytes, int parameters, long trainTokens, double firstLoss, double lastLoss,
                         double trainSeconds) {
    /** Adapter size as a share of the student file. */
    public double adapterShare() {
        return (double) adapterBytes / studentBytes;
    }

    /** KLD after / KLD before (mean over the held-out positions). */
    public double kldRatio() {
        return after.kld().value() / before.kld().value();
    }
}
