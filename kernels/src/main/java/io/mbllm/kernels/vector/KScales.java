package io.mbllm.kernels.vector;

/**
 * Unpacks the 12 scale bytes of Q4_K/Q5_K (ggml {@code get_scale_min_k4}) four at a time from the three
 * little-endian ints {@code u0,u1,u2}: the eight 6-bit scales and the eight 6-bit mins, each as eight bytes of a
 * long (sub-block j in byte j).
 */
final class KScales {
    private KScales() {}

    /** The eight scales. */
    static long scales(int u0, int u1, int u2) {
        int lo = u0 & 0x3f3f3f3f;
        int hi = (u2 & 0x0f0f0f0f) | (((u0 >>> 6) & 0x03030303) << 4);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    /** The eight mins. */
    static long mins(int u0, int u1, int u2) {
        int lo = u1 & 0x3f3f3f3f;
        int hi = ((u2 >>> 4) & 0x0f0f0f0f) | (((u1 >>> 6) & 0x03030303) << 4);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    /** Byte j of {@code packed}. */
    static int at(long packed, int j) {
        return (int) (packed >>> (8 * j)) & 0xFF;
    }

    /** Σ_j min_j · sum32[o+j] over the eight sub-blocks. */
    static int minSum(long mins, int[] sum32, int o) {
        int s = 0;
        for (int j = 0; j < 8; j++) s += at(mins, j) * sum32[o + j];
        return s;
    }
}
