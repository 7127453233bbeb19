package io.mbllm.gguf.mix;

/**
 * The model facts llama.cpp's mix rules look at ({@code shared/docs/quantization.md} §6.3).
 *
 * @param arch      {@code general.architecture} ({@code llama}, {@code qwen3}, ...)
 * @param nLayer    {@code {arch}.block_count}
 * @param nHead     attention heads (layer 0)
 * @param nHeadKv   key/value heads (layer 0)
 * @param nExpert   {@code {arch}.expert_count}, 0 for dense models
 * @param hasOutput whether the file has {@code output.weight}; false means tied embeddings (token_embd is
 *                  then quantized like the output tensor)
 */
public record ModelFacts(String arch, int nLayer, int nHead, int nHeadKv, int nExpert, boolean hasOutput) {
    public ModelFacts {
        if (arch == null) throw new IllegalArgumentException("architecture is null");
        if (nLayer < 0 || nHead < 0 || nHeadKv < 0 || nExpert < 0) {
            throw new IllegalArgumentException("negative hyper-parameter: n_layer=" + nLayer + " n_head=" + nHead
                    + " n_head_kv=" + nHeadKv + " n_expert=" + nExpert);
        }
    }

    /** llama.cpp's {@code n_gqa()}: {@code n_head / n_head_kv}, 0 when {@code n_head_kv} is 0. */
    public int nGqa() {
        return nHeadKv == 0 ? 0 : nHead / nHeadKv;
    }

    /** True for embeddings shared with the output projection (no {@code output.weight}). */
    public boolean tied() {
        return !hasOutput;
    }

    /** The "70B" rule's test: arch {@code llama}, 80 layers, grouped-query attention. */
    public boolean is70B() {
        return arch.equals("llama") && nLayer == 80 && nHead != nHeadKv;
    }

    /** True for arch {@code falcon}, which several rules treat differently. */
    public boolean isFalcon() {
        return arch.equals("falcon");
    }
}
