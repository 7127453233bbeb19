package io.mbllm.engine.train;

/**
 * The loss on one row of logits, pluggable so that the same trainer can fit next-token targets
 * ({@link CrossEntropyLoss}) or, later, a teacher's distributions (KL divergence for distillation). The trained
 * objective is {@code (1/N) Σ rowLoss} over the rows for which {@link #scores} is true, N their count over the
 * step's batches.
 */
public interface TokenLoss {
    /** True when {@code row} of {@code batch} contributes to the loss. */
    boolean scores(TrainBatch batch, int row);

    /**
     * Returns the loss of {@code row} and overwrites {@code logits[off .. off+nVocab)} with
     * {@code weight · d(loss)/d(logits)}.
     */
    double lossAndGradient(TrainBatch batch, int row, float[] logits, int off, int nVocab, float weight);
}
