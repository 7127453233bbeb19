package io.mbllm.engine.model;

import java.util.List;

import io.mbllm.kernels.WeightMatrix;

/**
 * All weights of a model. {@code output} is the token embedding itself when the embeddings are tied.
 *
 * @param tokenEmbedding {@code token_embd.weight}: one row of n_embd per token
 * @param outputNorm     {@code output_norm.weight} (and {@code .bias}, or {@code null})
 * @param output         {@code output.weight}, or {@code tokenEmbedding} when tied
 * @param outputBias     {@code output.bias} or {@code null}
 * @param ropeFreqs      {@code rope_freqs.weight} (per-pair divisors, [n_rot/2]) or {@code null}
 * @param ropeLong       phi3 {@code rope_factors_long.weight} or {@code null}
 * @param ropeShort      phi3 {@code rope_factors_short.weight} or {@code null}
 */
public record ModelWeights(WeightMatrix tokenEmbedding, float[] outputNorm, float[] outputNormBias,
                           WeightMatrix output, float[] outputBias, List<LayerWeights> layers,
                           float[] ropeFreqs, float[] ropeLong, float[] ropeShort) {
    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /** True when the output projection reuses the token embedding. */
    public boolean tiedEmbeddings() {
        return output == tokenEmbedding;
    }
}
