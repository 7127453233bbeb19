package io.mbllm.kernels;

/**
 * Multiplies a weight matrix by a batch of activation rows: {@code out[t*rows + r] = W[r] · x[t*cols ...]}.
 * One token is a matrix-vector product; a prompt is processed as a batch. Implementations differ in speed
 * (reference, Vector API, native) but follow ggml's semantics: activations are first converted to the weight
 * type's activation format ({@link io.mbllm.gguf.quant.QuantTypes.Traits#vecDotType()}).
 */
public interface MatMul {
    void matmul(WeightMatrix w, float[] x, int nTokens, float[] out);

    /** Convenience for one token. */
    default void matvec(WeightMatrix w, float[] x, float[] out) {
        matmul(w, x, 1, out);
    }
}
