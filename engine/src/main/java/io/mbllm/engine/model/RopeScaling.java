package io.mbllm.engine.model;

/**
 * RoPE frequency scaling read from {@code {arch}.rope.scaling.*} ({@code shared/docs/gguf.md} §4.2, §6).
 *
 * @param type                  the scaling method
 * @param freqScale             multiplier of every angle: 1 / {@code rope.scaling.factor} (1 when absent or 0;
 *                              forced to 1 when the type is {@code none})
 * @param originalContextLength {@code rope.scaling.original_context_length} (default the training context);
 *                              YaRN corrections and the long/short long-rope choice use it
 * @param attnFactor            {@code rope.scaling.attn_factor} (default 1): multiplies cos and sin
 * @param yarnBetaFast          YaRN correction (default 32)
 * @param yarnBetaSlow          YaRN correction (default 1)
 * @param yarnLogMultiplier     {@code rope.scaling.yarn_log_multiplier} (default 0)
 */
public record RopeScaling(Type type, float freqScale, int originalContextLength, float attnFactor,
                          float yarnBetaFast, float yarnBetaSlow, float yarnLogMultiplier) {
    /** Scaling methods ({@code rope.scaling.type}). */
    public enum Type {
        NONE("none"), LINEAR("linear"), YARN("yarn"), LONGROPE("longrope");

        private final String ggufName;

        Type(String ggufName) {
            this.ggufName = ggufName;
        }

        public String ggufName() { return ggufName; }

        static Type fromGgufName(String s) throws ModelLoadException {
            for (Type t : values()) if (t.ggufName.equals(s)) return t;
            throw new ModelLoadException("unsupported rope.scaling.type '" + s + "' (supported: none, linear, yarn, longrope)");
        }
    }

    /** No scaling. */
    public static RopeScaling none(int contextLength) {
        return new RopeScaling(Type.NONE, 1f, contextLength, 1f, 32f, 1f, 0f);
    }
}
