package io.mbllm.engine.lora;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.WeightMatrix;

/**
 * One adapter bound to one base matrix: {@code y += scale · B·(A·x)} (llama.cpp's {@code build_lora_mm}), or for
 * the token embedding {@code e_t += scale · B·A[t]}. A and B are zero-copy views of the adapter file. Immutable;
 * the arithmetic is done by a per-context {@link LoraMatMul}, which owns the scratch buffers.
 *
 * @param target    the base matrix's name
 * @param a         {@code lora_a} as a matrix: {@code r} rows of {@code n_in} (for {@code token_embd}: {@code n_vocab} rows of {@code r})
 * @param b         {@code lora_b} as a matrix: {@code n_out} rows of {@code r}
 * @param scale     the effective scale ({@link LoraAdapter#scale(float, int)})
 * @param embedding true for the {@code token_embd} row-lookup form
 */
public record LoraDelta(String target, WeightMatrix a, WeightMatrix b, float scale, boolean embedding) {
    /** The rank {@code r}. */
    public int rank() {
        return b.cols();
    }

    /** Input width of the product (the base matrix's {@code n_in}); for the embedding form, {@code r}. */
    public int inputs() {
        return embedding ? rank() : a.cols();
    }

    /** Output width ({@code n_out}, or {@code n_embd} for the embedding form). */
    public int outputs() {
        return b.rows();
    }

    /** The format x is converted to before {@code A·x} (ggml's vec_dot type of A). */
    GgmlType aActivation() {
        return QuantTypes.of(a.type()).vecDotType();
    }

    /** The format {@code A·x} is converted to before {@code B·(A·x)}. */
    GgmlType bActivation() {
        return QuantTypes.of(b.type()).vecDotType();
    }
}
