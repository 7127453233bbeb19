package io.mbllm.engine.oracle;

import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * A {@link MatMul} that multiplies every activation by {@code 1 + relative} before handing it to {@code inner}:
 * a perturbation of a few float ulps, used to measure how far the logits of a model move under numerically
 * equivalent arithmetic (its "chaos floor"). The copy buffer grows once and is then reused.
 */
final class PerturbedMatMul implements MatMul {
    private final MatMul inner;
    private final float factor;
    private float[] buf = new float[0];

    PerturbedMatMul(MatMul inner, float relative) {
        this.inner = inner;
        this.factor = 1f + relative;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        int n = nTokens * w.cols();
        if (buf.length < n) buf = new float[n];
        for (int i = 0; i < n; i++) buf[i] = x[i] * factor;
        inner.matmul(w, buf, nTokens, out);
    }
}
