package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.BYTE;
import static io.mbllm.gguf.quant.LittleEndian.LE_FLOAT;
import static io.mbllm.gguf.quant.LittleEndian.LE_SHORT;
import static io.mbllm.gguf.quant.LittleEndian.half;
import static io.mbllm.gguf.quant.LittleEndian.putHalf;
import static io.mbllm.gguf.quant.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

/**
 * The part Q4_K and Q5_K share ({@code shared/docs/quantization.md} §4.8–4.9): eight sub-blocks of 32 with a
 * 6-bit scale and a 6-bit min each, packed into 12 bytes ({@code get_scale_min_k4}), under fp16 {@code d}
 * @0 and {@code dmin} @2; the 12 scale bytes are @4. Only the packing of the codes differs between the types.
 */
final class KScaleMin {
    private KScaleMin() {}

    static final int D = 0, DMIN = 2, SCALES = 4;

    /** Search parameters of one type. */
    record Params(int nmax, float refRmin, float refRdelta, int refNstep) {}

    static final Params Q4_K = new Params(15, -1.0f, 0.1f, 20);
    static final Params Q5_K = new Params(31, -0.5f, 0.1f, 15);

    /**
     * Quantizes one super-block: writes {@code d}, {@code dmin} and the 12 scale bytes at {@code dst[o]} and
     * leaves the 256 codes (0..nmax) in {@code s.L}.
     */
    static void quantize(Params p, float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        byte[] L = s.L;
        float[] w = s.weights;
        float[] scales = s.scales;
        float[] mins = s.mins;
        if (qw == null) {
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) w[l] = avX + Math.abs(x[xo + 32 * j + l]);
                scales[j] = ScaleSearch.makeQkx2Quants(32, p.nmax(), x, xo + 32 * j, w, 0, L, 32 * j, mins, j, s.search,
                        p.refRmin(), p.refRdelta(), p.refNstep(), false);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, Rounding.nearestInt(invScale * scales[j]) & 0xFF);
                int lm = Math.min(63, Rounding.nearestInt(invMin * mins[j]) & 0xFF);
                pack(dst, o + SCALES, j, ls, lm);
            }
            putHalf(dst, o + D, maxScale / 63f);
            putHalf(dst, o + DMIN, maxMin / 63f);
        } else {
            float sumX2 = ScaleSearch.sumOfSquares(x, xo, KQuantCodec.QK_K);
            float sigma2 = 2 * sumX2 / KQuantCodec.QK_K;
            for (int j = 0; j < 8; j++) {
                ScaleSearch.imatrixWeights(x, xo + 32 * j, qw, qo + 32 * j, sigma2, w, 0, 32);
                float sumw = 0;
                for (int l = 0; l < 32; l++) sumw += w[l];
                s.sw[j] = sumw;
                scales[j] = ScaleSearch.makeQkx3Quants(32, p.nmax(), x, xo + 32 * j, w, 0, L, 32 * j, mins, j, s.search,
                        -0.9f, 0.05f, 36, false);
            }
            float dBlock = ScaleSearch.makeQpQuants(8, 63, scales, 0, s.ls, 0, s.sw, 0);
            float mBlock = ScaleSearch.makeQpQuants(8, 63, mins, 0, s.lm, 0, s.sw, 0);
            for (int j = 0; j < 8; j++) pack(dst, o + SCALES, j, s.ls[j] & 0xFF, s.lm[j] & 0xFF);
            putHalf(dst, o + D, dBlock);
            putHalf(dst, o + DMIN, mBlock);
        }
        // re-quantize with the stored fp16 d/dmin and 6-bit scales/mins
        float dAll = half(dst, o + D);
        float mAll = half(dst, o + DMIN);
        for (int j = 0; j < 8; j++) {
            float dd = dAll * scale(dst, o + SCALES, j);
            if (dd == 0) continue; // keep the codes of the first search
            float dm = mAll * min(dst, o + SCALES, j);
            for (int ii = 0; ii < 32; ii++) {
                int l = Rounding.nearestInt((x[xo + 32 * j + ii] + dm) / dd);
                L[32 * j + ii] = (byte) Rounding.clamp(l, 0, p.nmax());
            }
        }
    }

    /**
     * Packs scale {@code ls} and min {@code lm} of sub-block {@code j} into the 12 bytes at {@code q[o]}, exactly
     * as ggml does (bytes 0–7 take the whole value for j &lt; 4; callers pass 0..63 except for ggml's own
     * unclamped imatrix values, which are packed the same way).
     */
    static void pack(byte[] q, int o, int j, int ls, int lm) {
        if (j < 4) {
            q[o + j] = (byte) ls;
            q[o + j + 4] = (byte) lm;
        } else {
            q[o + j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
            q[o + j - 4] |= (byte) ((ls >> 4) << 6);
            q[o + j] |= (byte) ((lm >> 4) << 6);
        }
    }

    /** {@code get_scale_min_k4}: the 6-bit scale of sub-block {@code j}. */
    static int scale(byte[] q, int o, int j) {
        return j < 4 ? q[o + j] & 63 : (q[o + j + 4] & 0xF) | (((q[o + j - 4] & 0xFF) >> 6) << 4);
    }

    /** {@code get_scale_min_k4}: the 6-bit min of sub-block {@code j}. */
    static int min(byte[] q, int o, int j) {
        return j < 4 ? q[o + j + 4] & 63 : ((q[o + j + 4] & 0xFF) >> 4) | (((q[o + j] & 0xFF) >> 6) << 4);
    }

    /** {@code get_scale_min_k4} on a segment: the 6-bit scale of sub-block {@code j} of the scales at {@code off}. */
    static int scale(MemorySegment s, long off, int j) {
        return j < 4 ? u8(s, off + j) & 63
                : (u8(s, off + j + 4) & 0xF) | ((u8(s, off + j - 4) >> 6) << 4);
    }

    /** {@code get_scale_min_k4} on a segment: the 6-bit min of sub-block {@code j} of the scales at {@code off}. */
    static int min(MemorySegment s, long off, int j) {
        return j < 4 ? u8(s, off + j + 4) & 63
                : (u8(s, off + j + 4) >> 4) | ((u8(s, off + j) >> 6) << 4);
    }

    /**
     * The shared scalar dot product of Q4_K/Q5_K with Q8_K (ggml-cpu quants.c generic order): eight integer
     * lanes per block, {@code sumf -= dmin*sumi} per block, the eight float lanes added at the end.
     *
     * @param codes reads the unsigned code of element {@code e} of the weight block at byte {@code blockOff}
     */
    static float vecDot(MemorySegment w, long wOff, int blockBytes, MemorySegment a, long aOff, int nb, CodeReader codes) {
        float[] sums = new float[8];
        int[] aux = new int[8];
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long x = wOff + (long) i * blockBytes;
            long y = aOff + (long) i * Q8KCodec.BLOCK_BYTES;
            java.util.Arrays.fill(aux, 0);
            for (int j = 0; j < 8; j++) {
                int sc = scale(w, x + SCALES, j);
                for (int l = 0; l < 32; l++) {
                    int e = 32 * j + l;
                    aux[e & 7] += sc * (a.get(BYTE, y + Q8KCodec.QS + e) * codes.code(w, x, e));
                }
            }
            int sumi = 0;
            for (int g = 0; g < 16; g++) {
                sumi += a.get(LE_SHORT, y + Q8KCodec.BSUMS + 2L * g) * min(w, x + SCALES, g / 2);
            }
            float yd = a.get(LE_FLOAT, y);
            float d = half(w, x + D) * yd;
            for (int l = 0; l < 8; l++) sums[l] += d * aux[l];
            float dmin = half(w, x + DMIN) * yd;
            sumf -= dmin * sumi;
        }
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }

    /** Reads one unsigned code of a Q4_K or Q5_K block. */
    @FunctionalInterface
    interface CodeReader {
        int code(MemorySegment s, long blockOff, int e);
    }
}
