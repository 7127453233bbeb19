package io.mbllm.engine.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The model families mbllm runs, with the traits that tell their forward passes apart
 * ({@code shared/docs/gguf.md} §5). One decoder-only forward pass serves all of them; it asks these traits
 * instead of switching on the family.
 */
public enum Architecture {
    /** Llama 1/2/3, Mistral: RMSNorm, SwiGLU, NORM RoPE over the whole head, optional tied output. */
    LLAMA("llama", NormKind.RMS, RopeType.NORM, FfnLayout.GATE_UP, true, QkNorm.NONE, true, false),
    /** Qwen2 / Qwen2.5: llama with q/k/v biases and NEOX RoPE. */
    QWEN2("qwen2", NormKind.RMS, RopeType.NEOX, FfnLayout.GATE_UP, true, QkNorm.NONE, false, false),
    /** Qwen3 (dense): per-head RMSNorm of q and k before RoPE, explicit head size, NEOX. */
    QWEN3("qwen3", NormKind.RMS, RopeType.NEOX, FfnLayout.GATE_UP, true, QkNorm.REQUIRED, false, false),
    /** StableLM: LayerNorm with bias, partial NEOX RoPE, optional per-head q/k LayerNorm, separate output. */
    STABLELM("stablelm", NormKind.LAYER, RopeType.NEOX, FfnLayout.GATE_UP, false, QkNorm.OPTIONAL, false, true),
    /** Phi-3: fused QKV and fused gate/up, NEOX, optional long-rope factors. */
    PHI3("phi3", NormKind.RMS, RopeType.NEOX, FfnLayout.FUSED_GATE_UP, true, QkNorm.NONE, false, false);

    /** RMSNorm or LayerNorm (with bias). */
    public enum NormKind {
        RMS("attention.layer_norm_rms_epsilon"),
        LAYER("attention.layer_norm_epsilon");

        private final String epsilonKey;

        NormKind(String epsilonKey) {
            this.epsilonKey = epsilonKey;
        }

        /** The metadata key (after the {@code {arch}.} prefix) holding the epsilon. */
        public String epsilonKey() { return epsilonKey; }
    }

    /** How RoPE pairs dimensions: NORM {@code (2i, 2i+1)}, NEOX {@code (i, i + n_rot/2)}. */
    public enum RopeType { NORM, NEOX }

    /** Separate {@code ffn_gate}/{@code ffn_up}, or both fused in {@code ffn_up} (gate first). */
    public enum FfnLayout { GATE_UP, FUSED_GATE_UP }

    /** Whether {@code attn_q_norm}/{@code attn_k_norm} exist. */
    public enum QkNorm { NONE, OPTIONAL, REQUIRED }

    private final String ggufName;
    private final NormKind norm;
    private final RopeType rope;
    private final FfnLayout ffn;
    private final boolean tiedOutputAllowed;
    private final QkNorm qkNorm;
    private final boolean ropeCoversHead;
    private final boolean parallelResidualAllowed;

    Architecture(String ggufName, NormKind norm, RopeType rope, FfnLayout ffn, boolean tiedOutputAllowed,
                 QkNorm qkNorm, boolean ropeCoversHead, boolean parallelResidualAllowed) {
        this.ggufName = ggufName;
        this.norm = norm;
        this.rope = rope;
        this.ffn = ffn;
        this.tiedOutputAllowed = tiedOutputAllowed;
        this.qkNorm = qkNorm;
        this.ropeCoversHead = ropeCoversHead;
        this.parallelResidualAllowed = parallelResidualAllowed;
    }

    /** The {@code general.architecture} value (and metadata key prefix). */
    public String ggufName() { return ggufName; }

    public NormKind norm() { return norm; }

    public RopeType rope() { return rope; }

    public FfnLayout ffn() { return ffn; }

    /** True when {@code output.weight} may be absent (the token embedding is then reused). */
    public boolean tiedOutputAllowed() { return tiedOutputAllowed; }

    public QkNorm qkNorm() { return qkNorm; }

    /** True when {@code rope.dimension_count} must equal the head size (llama.cpp checks this for llama). */
    public boolean ropeCoversHead() { return ropeCoversHead; }

    /** True when {@code ffn_norm} may be absent: a parallel-residual block (StableLM 2 12B). */
    public boolean parallelResidualAllowed() { return parallelResidualAllowed; }

    /**
     * The family for a {@code general.architecture} value; {@code mistral} is read as {@code llama}.
     *
     * @throws ModelLoadException naming the value and the supported ones
     */
    public static Architecture fromGgufName(String name) throws ModelLoadException {
        String n = "mistral".equals(name) ? "llama" : name;
        for (Architecture a : values()) {
            if (a.ggufName.equals(n)) return a;
        }
        throw new ModelLoadException("unsupported model architecture '" + name + "'; supported: " + supportedNames());
    }

    /** The accepted {@code general.architecture} values, comma separated. */
    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "))
                .replace("llama", "llama (and mistral)");
    }
}
