package io.mbllm.engine.train;

/**
 * Cross-entropy against the batch's target token: {@code logsumexp(z) − z[target]}, gradient
 * {@code softmax(z) − onehot(target)}, with the log-sum-exp of {@link LogSumExp} (in double).
 */
public final class CrossEntropyLoss implements TokenLoss {
    public static final CrossEntropyLoss INSTANCE = new CrossEntropyLoss();

    private CrossEntropyLoss() {}

    @Override
    public boolean scores(TrainBatch batch, int row) {
        return batch.targets()[row] != TrainBatch.NO_TARGET;
    }

    @Override
    public double lossAndGradient(TrainBatch batch, int row, float[] z, int off, int nVocab, float weight) {
        int target = batch.targets()[row];
        double lse = LogSumExp.of(z, off, nVocab);
        double loss = lse - z[off + target];
        for (int i = 0; i < nVocab; i++) {
            double p = Math.exp(z[off + i] - lse);
            z[off + i] = (float) (weight * (i == target ? p - 1.0 : p));
        }
        return loss;
    }
}
