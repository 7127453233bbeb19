package io.mbllm.gguf.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * The float-to-integer roundings of ggml's quantizers ({@code shared/docs/quantization.md} §1.2), each in one
 * place. They differ on halves and must not be mixed up.
 */
public final class Rounding {
    private Rounding() {}

    private static final float MAGIC = 12582912.0f; // 1.5 * 2^23

    /**
     * ggml's {@code nearest_int}: round half to even through the bits of {@code v + 1.5*2^23} (K-quant and imatrix
     * searches). Identical to {@code Math.rint} for {@code |v| <= 4194303}; outside that range (ggml asserts it
     * never is) it returns what ggml's arithmetic returns.
     */
    public static int nearestInt(float v) {
        return (Float.floatToRawIntBits(v + MAGIC) & 0x007FFFFF) - 0x00400000;
    }

    /** {@link #nearestInt(float)} in every lane, with the same float addition and bit operations. */
    static IntVector nearestInt(FloatVector v) {
        return v.add(MAGIC).reinterpretAsInts().and(0x007FFFFF).sub(0x00400000);
    }

    /**
     * C {@code roundf}: half away from zero (Q8_0, Q8_1). Exact for every float: {@code |v| + 0.5} is computed in
     * double, where it cannot round.
     */
    public static int roundAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /**
     * C conversion {@code (int8_t)v} as compiled for x86-64: truncation toward zero, keeping the low byte. Used by
     * the Q4_0/Q4_1/Q5_0 reference quantizers, whose arguments lie well inside the int8 range.
     */
    public static int truncInt8(float v) {
        return (byte) (int) v;
    }

    /** {@code v} clamped to {@code [lo, hi]}. */
    public static int clamp(int v, int lo, int hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
