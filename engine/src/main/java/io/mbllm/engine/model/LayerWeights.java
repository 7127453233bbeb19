package io.mbllm.engine.model;

import io.mbllm.kernels.WeightMatrix;

/**
 * The weights of one transformer block. Matrices are zero-copy views of the model file; 1-D norms and biases
 * are small float arrays. Absent optional tensors are {@code null}: exactly one of {@code wqkv} and the
 * {@code wq}/{@code wk}/{@code wv} triple is set, and {@code ffnGate} is {@code null} when the gate is fused
 * into {@code ffnUp} (first half gate, second half up).
 */
public record LayerWeights(
        float[] attnNorm, float[] attnNormBias,
        WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, float[] bq, float[] bk, float[] bv,
        WeightMatrix wqkv, float[] bqkv,
        float[] qNorm, float[] kNorm,
        WeightMatrix wo, float[] bo,
        float[] ffnNorm, float[] ffnNormBias,
        WeightMatrix ffnGate, float[] ffnGateBias,
        WeightMatrix ffnUp, float[] ffnUpBias,
        WeightMatrix ffnDown, float[] ffnDownBias) {

    /** True when Q, K and V come from one fused matrix. */
    public boolean fusedQkv() {
        return wqkv != null;
    }

    /** True for a parallel-residual block (no FFN norm: the FFN reads the attention norm's output). */
    public boolean parallelResidual() {
        return ffnNorm == null;
    }
}
