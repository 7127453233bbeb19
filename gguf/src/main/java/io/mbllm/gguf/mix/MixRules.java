package io.mbllm.gguf.mix;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

import io.mbllm.gguf.GgmlType;

/**
 * The stateless parts of llama.cpp's quantization mix ({@code src/llama-quant.cpp}, described in
 * {@code shared/docs/quantization.md} §6): which tensors are quantized, the processing order, the
 * {@code more_bits} layer pattern, the per-category rules and the row-length fallback. The per-run counters
 * live in {@link TensorTypeChooser}.
 */
public final class MixRules {
    private MixRules() {}

    private static final List<String> NEVER_QUANTIZED_PARTS = List.of(
            "_norm.weight", "ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj",
            "ssm_conv1d.weight", "shortconv.conv.weight",
            "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
            "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
            "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
            "time_mix_g1.weight", "time_mix_g2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
            "attn_rel_b.weight", ".position_embd.", ".patch_embd.");

    /**
     * Whether llama-quantize may change the type of this tensor (§6.1): at least 2 dimensions (ggml's
     * {@code n_dims}, trailing 1s dropped), the name ends in {@code weight}, and it is not a norm, router,
     * positional embedding or one of the small special weights.
     */
    public static boolean isQuantizable(String name, int nDims) {
        if (nDims < 2 || !name.endsWith("weight")) return false;
        if (name.equals("position_embd.weight") || name.equals("token_types.weight")) return false;
        for (String part : NEVER_QUANTIZED_PARTS) if (name.contains(part)) return false;
        return true;
    }

    /**
     * The layer number llama.cpp sorts by: what {@code sscanf(name, "blk.%d.")} stores (optional sign, then
     * digits right after {@code blk.}), or −1 when the name has none.
     */
    public static int layerOf(String name) {
        if (!name.startsWith("blk.")) return -1;
        int i = 4, n = name.length();
        while (i < n && isCSpace(name.charAt(i))) i++;
        boolean neg = false;
        if (i < n && (name.charAt(i) == '+' || name.charAt(i) == '-')) neg = name.charAt(i++) == '-';
        long v = 0;
        int start = i;
        while (i < n && name.charAt(i) >= '0' && name.charAt(i) <= '9') {
            v = Math.min(v * 10 + (name.charAt(i) - '0'), 1L << 32);
            i++;
        }
        if (i == start) return -1;
        long layer = neg ? -v : v;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, layer));
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** llama-quantize's processing (and output) order: by {@link #layerOf layer}, then by name bytes. */
    public static final Comparator<String> PROCESSING_ORDER = Comparator.comparingInt(MixRules::layerOf)
            .thenComparing(MixRules::compareBytes);

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code use_more_bits(i, n)}: the first and last eighth of the layers and every third in between. */
    public static boolean moreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /**
     * The row-length fallback (§6.4) for a chosen type whose block does not divide {@code ne0}.
     *
     * @return {@code type} itself when its block divides {@code ne0}, else its fallback (F16 when that one does not
     *         divide either)
     * @throws IllegalArgumentException when the type has no fallback (llama.cpp: "unsupported tensor size")
     */
    public static GgmlType fallback(GgmlType type, long ne0) {
        if (ne0 % type.blockSize() == 0) return type;
        GgmlType fb = switch (type) {
            case Q2_K, Q3_K, TQ1_0, TQ2_0, Q2_0 -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            case IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M, IQ4_XS -> GgmlType.IQ4_NL;
            default -> throw new IllegalArgumentException("row length " + ne0 + " is not a multiple of the "
                    + type.ggmlName() + " block (" + type.blockSize() + ") and " + type.ggmlName() + " has no fallback type");
        };
        return ne0 % fb.blockSize() == 0 ? fb : GgmlType.F16;
    }
}
