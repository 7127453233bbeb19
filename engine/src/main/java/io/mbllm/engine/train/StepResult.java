package io.mbllm.engine.train;

/**
 * What one optimizer step did.
 *
 * @param step       the step number (1-based)
 * @param loss       mean loss over the step's scored rows, before the update
 * @param gradNorm   {@code sqrt(Σ g²)} over all adapter parameters (summed in double)
 * @param gradNormA  the same over the A matrices only
 * @param gradNormB  the same over the B matrices only
 * @param tokens     tokens evaluated in the step
 * @param scored     rows scored
 */
public record StepResult(int step, double loss, double gradNorm, double gradNormA, double gradNormB, int tokens, int scored) {
}
