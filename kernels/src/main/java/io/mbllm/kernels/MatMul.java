package io.mbllm.kernels;

/**
 * Multiplies a weight matrix by a batch of activation rows: {@code out[t*rows + r] = W[r] · x[t*cols ...]}.
 * One token is a matrix-vector product; a prompt is processed as a batch. Implementations differ in speed
 * (reference, Vector API, native) but follow ggml's semantics: activations are first converted to the weight
 * type's activation format ({@link io.mbllm.gguf.quant.QuantTypes.Traits#vecDotType()}).
 */
public interface MatMul {
    void matmul(WeightMatrix w, float[] x, int nTokens, float[] out);

    /**
     * Several products of the same input, {@code outs[i] = ws[i] · x} for {@code i < count} (e.g. Q, K and V, or
     * gate and up). Implementations may convert the activations once per activation format and run all the
     * matrices as one parallel section; the default multiplies them one by one.
     */
    default void matmulAll(WeightMatrix[] ws, int count, float[] x, int nTokens, float[][] outs) {
        for (int i = 0; i < count; i++) matmul(ws[i], x, nTokens, outs[i]);
    }

    /** Convenience for one token. */
    default void matvec(WeightMatrix w, float[] x, float[] out) {
        matmul(w, x, 1, out);
    }
}
