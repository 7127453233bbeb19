package io.mbllm.gguf.quant;

/**
 * The three float-to-integer roundings of ggml's legacy quantizers ({@code shared/docs/quantization.md} §1.2).
 * They differ on halves and must not be mixed up.
 */
final class LegacyRounding {
    private LegacyRounding() {}

    /**
     * C {@code roundf}: half away from zero (Q8_0, Q8_1). Exact for every float: {@code |v| + 0.5} is computed in
     * double, where it cannot round.
     */
    static int roundAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /** ggml {@code nearest_int}: half to even (imatrix searches, IQ4_NL). */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    /**
     * C conversion {@code (int8_t)v} as compiled for x86-64: truncation toward zero, keeping the low byte. Used by
     * the Q4_0/Q4_1/Q5_0 reference quantizers, whose arguments lie well inside the int8 range.
     */
    static int truncInt8(float v) {
        return (byte) (int) v;
    }
}
