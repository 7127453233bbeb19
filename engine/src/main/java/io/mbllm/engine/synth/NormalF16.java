package io.mbllm.engine.synth;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import io.mbllm.gguf.quant.Half;

/**
 * The counter-based normal generator of {@code gen_synth_gguf.py}: element {@code i} of a tensor depends only
 * on the tensor key and {@code i}, so any range can be generated on any thread.
 *
 * <p>{@code key = seed XOR fnv1a64(name)}; {@code o_j = splitmix64_mix(key + (j+1)·0x9E3779B97F4A7C15)};
 * element {@code i} takes {@code a = o_{2i}}, {@code b = o_{2i+1}}, {@code u1 = ((a>>>11)+1)·2⁻⁵³},
 * {@code u2 = (b>>>11)·2⁻⁵³}, {@code z = sqrt(−2 ln u1)·cos(2π·u2)} in float64, then
 * {@code fp16(fp32(0.02·z))}. {@code ln} and {@code cos} are {@link StrictMath}'s (fdlibm), so the result is
 * the same on every JVM and CPU; they matched numpy/libm on every weight of the reference models.
 */
public final class NormalF16 {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long C1 = 0xBF58476D1CE4E5B9L;
    private static final long C2 = 0x94D049BB133111EBL;
    private static final double TWO_POW_M53 = 0x1p-53;
    private static final double TWO_PI = 2.0 * Math.PI;
    private static final double STD = 0.02;
    private static final ValueLayout.OfShort F16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NormalF16() {}

    /** FNV-1a 64 of the UTF-8 bytes of {@code s}. */
    public static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** The splitmix64 finaliser. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * C1;
        z = (z ^ (z >>> 27)) * C2;
        return z ^ (z >>> 31);
    }

    /** The stream key of a tensor: {@code seed XOR fnv1a64(name)}. */
    public static long key(long seed, String tensorName) {
        return seed ^ fnv1a64(tensorName);
    }

    /** The float64 normal sample {@code z} of element {@code i} (before scaling and rounding). */
    public static double gaussian(long key, long i) {
        long j = 2 * i;
        long a = mix(key + (j + 1) * GOLDEN);
        long b = mix(key + (j + 2) * GOLDEN);
        double u1 = ((a >>> 11) + 1) * TWO_POW_M53;
        double u2 = (b >>> 11) * TWO_POW_M53;
        return Math.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(TWO_PI * u2);
    }

    /** fp16 bits of element {@code i}. */
    public static short element(long key, long i) {
        return Half.fromFloat((float) (STD * gaussian(key, i)));
    }

    /**
     * Writes elements {@code first … first+count−1} as little-endian fp16 into {@code dst} from byte 0.
     * Allocates nothing.
     */
    public static void fill(long key, long first, long count, MemorySegment dst) {
        if (dst.byteSize() < 2 * count) {
            throw new IllegalArgumentException("destination holds " + dst.byteSize() + " bytes, need " + 2 * count);
        }
        for (long k = 0; k < count; k++) {
            dst.set(F16_LE, 2 * k, element(key, first + k));
        }
    }
}
