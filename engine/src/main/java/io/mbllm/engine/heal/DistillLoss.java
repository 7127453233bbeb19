package io.mbllm.engine.heal;

import io.mbllm.engine.train.LogSumExp;
import io.mbllm.engine.train.TokenLoss;
import io.mbllm.engine.train.TrainBatch;

/**
 * Knowledge-distillation loss on one row of student logits z against the teacher's distribution at the same
 * position, at temperature T (Hinton et al., "Distilling the Knowledge in a Neural Network", 2015):
 *
 * <pre>
 *   p = softmax(z_teacher / T),  q = softmax(z / T)
 *   loss = T² · KL(p ‖ q) = T² · Σ_i p_i (log p_i − log q_i)
 *   d loss / d z_i = T · (q_i − p_i)
 * </pre>
 *
 * The T² factor keeps the gradient's size independent of T (the softened gradient shrinks as 1/T²), as is usual
 * in distillation; at T = 1 the loss is exactly the KL divergence llama-perplexity reports. Every row of a batch is
 * scored (the teacher has a distribution at every position, the last of a sequence included). The teacher's
 * {@code log p} rows come from {@link TeacherDistributions}; the sums are kept in double.
 */
public final class DistillLoss implements TokenLoss {
    private final TeacherDistributions teacher;
    private final float temperature;
    private TrainBatch lastBatch;
    private float[] lastLogP;

    public DistillLoss(TeacherDistributions teacher) {
        this.teacher = teacher;
        this.temperature = teacher.temperature();
    }

    /** T. */
    public float temperature() { return temperature; }

    @Override
    public boolean scores(TrainBatch batch, int row) {
        return true;
    }

    @Override
    public double lossAndGradient(TrainBatch batch, int row, float[] z, int off, int nVocab, float weight) {
        if (batch != lastBatch) {
            lastLogP = teacher.logProbs(batch);
            lastBatch = batch;
        }
        return lossAndGradient(lastLogP, row * nVocab, z, off, nVocab, temperature, weight);
    }

    /**
     * The loss of one row: {@code logP[pOff ..]} the teacher's log-probabilities at temperature T, {@code z[off ..]}
     * the student's raw logits, overwritten with {@code weight · T · (q − p)}.
     */
    static double lossAndGradient(float[] logP, int pOff, float[] z, int off, int nVocab, float t, float weight) {
        float inv = 1f / t;
        double lse = LogSumExp.scaled(z, off, nVocab, inv);
        double kl = 0;
        double g = (double) weight * t;
        for (int i = 0; i < nVocab; i++) {
            double logQ = (double) z[off + i] * inv - lse;
            double lp = logP[pOff + i];
            double p = Math.exp(lp);
            if (p > 0) kl += p * (lp - logQ);
            z[off + i] = (float) (g * (Math.exp(logQ) - p));
        }
        return (double) t * t * kl;
    }
}
