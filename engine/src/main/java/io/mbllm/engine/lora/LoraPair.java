package io.mbllm.engine.lora;

import io.mbllm.engine.model.ModelSource;

/**
 * The two halves of one adapted base matrix: {@code <base>.lora_a} and {@code <base>.lora_b} (ggml shapes; for a
 * base {@code W} of ne {@code [n_in, n_out]}: A is {@code [n_in, r]}, B is {@code [r, n_out]}; for
 * {@code token_embd.weight} A is {@code [r, n_vocab]} and B is {@code [r, n_embd]}).
 *
 * @param base the base tensor's name, e.g. {@code blk.3.ffn_down.weight}
 * @param a    {@code lora_a}
 * @param b    {@code lora_b}
 */
public record LoraPair(String base, ModelSource.Tensor a, ModelSource.Tensor b) {
    /** Name of the token embedding, whose adapter uses a row lookup in A (llama.cpp's special layout). */
    public static final String TOKEN_EMBD = "token_embd.weight";

    /** The rank: {@code ne0} of {@code lora_b} (llama.cpp reads it per tensor). */
    public int rank() {
        return (int) b.dim(0);
    }

    /** True for the {@code token_embd.weight} adapter. */
    public boolean tokenEmbedding() {
        return base.equals(TOKEN_EMBD);
    }
}
