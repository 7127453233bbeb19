package io.mbllm.gguf.quant;

/**
 * bfloat16 conversions with ggml's rules (ggml-impl.h {@code ggml_compute_fp32_to_bf16} /
 * {@code ggml_compute_bf16_to_fp32}): fp32 to bf16 rounds to nearest even on the upper 16 bits, including
 * subnormals (not flushed) and overflow to infinity; a NaN keeps its sign and upper payload bits and gets the
 * quiet bit ({@code 0x0040}) set. bf16 to fp32 is exact (the bits shifted up by 16).
 */
public final class BFloat16 {
    private BFloat16() {}

    /** fp32 to bf16 bits (in the low 16 bits of the result). */
    public static short fromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** bf16 bits to fp32 (exact). */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** Rounds a float through bf16 and back. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
