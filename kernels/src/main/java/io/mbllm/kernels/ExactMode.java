package io.mbllm.kernels;

/**
 * Whether mbllm computes as llama.cpp's x86 CPU backend does, so that its logits are bit-identical to llama.cpp's
 * for the same GGUF file (measured against {@code shared/testdata/llamacpp-oracle}: Q8_0 and Q4_K_M of llama-1b
 * and stablelm-3b, 0.0000 difference over 32 teacher-forced steps). On by default; each part can be turned off
 * for experiments with a system property, read once per JVM:
 * <ul>
 * <li>{@code -Dmbllm.exact=false}: every part below off;</li>
 * <li>{@code -Dmbllm.exact.activations=false}: the native kernels quantize Q8_0/Q8_1 activations with the
 *     reference rounding (half away from zero) instead of the x86 SIMD build's nearest-even, and keep their own
 *     float accumulation order (two accumulators per single-token Q8_0 row, Q4_K mins summed per block);</li>
 * <li>{@code -Dmbllm.exact.silu=false}: SiLU with Java's {@code exp} instead of ggml's AVX-512 {@code expf};</li>
 * <li>{@code -Dmbllm.exact.attention=false}: float32 K/V and a two-pass softmax instead of llama.cpp's F16 K/V
 *     cache and CPU flash attention ({@code FlashAttentionF16} in the engine);</li>
 * <li>{@code -Dmbllm.exact.rope=false}: the RoPE rotation with separate multiply and add instead of the fused
 *     multiply-add a C compiler forms for ggml's rotation.</li>
 * </ul>
 * The parts that cost nothing are always on: the C library's {@code cosf}/{@code sinf}/{@code expf} ({@link CMath})
 * and ggml's summation order in {@link Ops#layerNorm}. Exactness also needs the native kernels (the Java kernels
 * keep their own order) and the x86 AVX2/AVX-512 CPU llama.cpp ran on.
 */
public final class ExactMode {
    private ExactMode() {}

    private static final boolean ALL = flag("mbllm.exact", true);

    /** Native activation rounding and accumulation order as ggml's x86 build. */
    public static final boolean ACTIVATIONS = ALL && flag("mbllm.exact.activations", true);
    /** SiLU through ggml's vector {@code expf}. */
    public static final boolean SILU = ALL && flag("mbllm.exact.silu", true);
    /** F16 K/V cache and llama.cpp's CPU flash attention. */
    public static final boolean ATTENTION = ALL && flag("mbllm.exact.attention", true);
    /** RoPE rotation as one fused multiply-add per output. */
    public static final boolean ROPE = ALL && flag("mbllm.exact.rope", true);

    /** True when every part is on. */
    public static boolean all() {
        return ACTIVATIONS && SILU && ATTENTION && ROPE;
    }

    /** A short description for logs and benchmarks: {@code exact} or the parts that are off. */
    public static String describe() {
        if (all()) return "exact";
        StringBuilder b = new StringBuilder("exact off:");
        if (!ACTIVATIONS) b.append(" activations");
        if (!SILU) b.append(" silu");
        if (!ATTENTION) b.append(" attention");
        if (!ROPE) b.append(" rope");
        return b.toString();
    }

    private static boolean flag(String name, boolean dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : Boolean.parseBoolean(v.trim());
    }
}
