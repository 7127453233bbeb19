package io.mbllm.gguf.mix;

/**
 * The role of a weight as llama.cpp's mix rules see it, decided from its name
 * ({@code shared/docs/quantization.md} §6.3). The name tests run in llama.cpp's order.
 */
public enum TensorCategory {
    OUTPUT, TOKEN_EMBD, ATTN_V, ATTN_K, ATTN_Q, FFN_DOWN, ATTN_OUTPUT, FFN_GATE, FFN_UP, OTHER;

    /** The category of a tensor name. */
    public static TensorCategory of(String name) {
        if (name.equals("output.weight")) return OUTPUT;
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) return TOKEN_EMBD;
        if (isVLike(name)) return ATTN_V;
        if (name.contains("attn_k.weight")) return ATTN_K;
        if (name.contains("attn_q.weight")) return ATTN_Q;
        if (name.contains("ffn_down")) return FFN_DOWN;
        if (name.contains("attn_output.weight")) return ATTN_OUTPUT;
        if (name.contains("ffn_gate")) return FFN_GATE;
        if (name.contains("ffn_up")) return FFN_UP;
        return OTHER;
    }

    /** V-like tensors (counted in {@code n_attention_wv}): attn_v, fused attn_qkv, attn_kv_b. */
    public static boolean isVLike(String name) {
        return name.contains("attn_v.weight") || name.contains("attn_qkv.weight") || name.contains("attn_kv_b.weight");
    }
}
