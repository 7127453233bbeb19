package io.mbllm.gguf.quant;

/**
 * IEEE binary16 conversions with ggml's rules ({@code shared/docs/quantization.md} §1.3): round to nearest
 * even (into subnormals too), values that round past 65504 become infinity, NaN becomes {@code 0x7E00} with
 * the input's sign. fp16 to fp32 is exact.
 */
public final class Half {
    private Half() {}

    /** fp32 to fp16 bits (in the low 16 bits of the result). */
    public static short fromFloat(float f) {
        if (Float.isNaN(f)) {
            return (short) ((Float.floatToRawIntBits(f) >>> 16 & 0x8000) | 0x7E00);
        }
        return Float.floatToFloat16(f);
    }

    /** fp16 bits to fp32 (exact). */
    public static float toFloat(short h) {
        return Float.float16ToFloat(h);
    }

    /** Rounds a float through fp16 and back, as ggml does when it stores a scale and then reuses it. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
