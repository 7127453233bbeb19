package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.BYTE;
import static io.mbllm.gguf.quant.LittleEndian.LE_FLOAT;
import static io.mbllm.gguf.quant.LittleEndian.LE_SHORT;
import static io.mbllm.gguf.quant.LittleEndian.half;
import static io.mbllm.gguf.quant.LittleEndian.putHalf;
import static io.mbllm.gguf.quant.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Q2_K: 16 sub-blocks of 16 with 4-bit scales and mins and 2-bit codes, 84 bytes per 256 weights
 * ({@code shared/docs/quantization.md} §2, §4.6; ggml-quants.c {@code quantize_row_q2_K_ref} /
 * {@code quantize_row_q2_K_impl}). Layout: {@code scales[16]} @0, {@code qs[64]} @16, {@code d} f16 @80,
 * {@code dmin} f16 @82.
 */
public final class Q2KCodec extends KQuantCodec {
    private static final int SCALES = 0, QS = 16, D = 80, DMIN = 82;

    /** Creates the codec (stateless). */
    public Q2KCodec() {
        super(GgmlType.Q2_K);
    }

    @Override
    void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        byte[] L = s.L;
        float[] w = s.weights;
        float[] scales = s.scales;
        float[] mins = s.mins;
        if (qw == null) {
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) w[l] = Math.abs(x[xo + 16 * j + l]);
                scales[j] = ScaleSearch.makeQkx2Quants(16, 3, x, xo + 16 * j, w, 0, L, 16 * j, mins, j, s.search,
                        -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float d;
            if (maxScale > 0) {
                float iscale = 15f / maxScale;
                for (int j = 0; j < 16; j++) dst[o + SCALES + j] = (byte) Rounding.nearestInt(iscale * scales[j]);
                d = maxScale / 15f;
            } else {
                d = 0f;
            }
            float dmin;
            if (maxMin > 0) {
                float iscale = 15f / maxMin;
                for (int j = 0; j < 16; j++) {
                    dst[o + SCALES + j] |= (byte) (Rounding.nearestInt(iscale * mins[j]) << 4);
                }
                dmin = maxMin / 15f;
            } else {
                dmin = 0f;
            }
            putHalf(dst, o + D, d);
            putHalf(dst, o + DMIN, dmin);
        } else {
            float sumx2 = ScaleSearch.sumOfSquares(x, xo, QK_K);
            float sigma2 = sumx2 / QK_K;
            for (int j = 0; j < 16; j++) {
                float sw = 0;
                ScaleSearch.imatrixWeights(x, xo + 16 * j, qw, qo + 16 * j, sigma2, w, 0, 16);
                for (int l = 0; l < 16; l++) sw += w[l];
                s.sw[j] = sw;
                scales[j] = ScaleSearch.makeQkx3Quants(16, 3, x, xo + 16 * j, w, 0, L, 16 * j, mins, j, s.search,
                        -0.9f, 0.05f, 36, false);
            }
            float dm = ScaleSearch.makeQpQuants(16, 15, scales, 0, s.ls, 0, s.sw, 0);
            float mm = ScaleSearch.makeQpQuants(16, 15, mins, 0, s.lm, 0, s.sw, 0);
            putHalf(dst, o + D, dm);
            putHalf(dst, o + DMIN, mm);
            for (int j = 0; j < 16; j++) dst[o + SCALES + j] = (byte) ((s.ls[j] & 0xFF) | ((s.lm[j] & 0xFF) << 4));
        }
        // re-quantize with the stored (fp16-rounded) super-scales and 4-bit sub-scales
        float dAll = half(dst, o + D);
        float mAll = half(dst, o + DMIN);
        for (int j = 0; j < 16; j++) {
            int sc = dst[o + SCALES + j] & 0xFF;
            float dd = dAll * (sc & 0xF);
            if (dd == 0) continue; // keep the codes of the first search
            float dm = mAll * (sc >> 4);
            for (int ii = 0; ii < 16; ii++) {
                int l = Rounding.nearestInt((x[xo + 16 * j + ii] + dm) / dd);
                L[16 * j + ii] = (byte) Rounding.clamp(l, 0, 3);
            }
        }
        for (int c = 0; c < 2; c++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * c + l;
                dst[o + QS + 32 * c + l] = (byte) (L[e] | (L[e + 32] << 2) | (L[e + 64] << 4) | (L[e + 96] << 6));
            }
        }
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] y, int yo) {
        float d = half(src, off + D);
        float min = half(src, off + DMIN);
        int is = 0;
        int e = yo;
        for (int c = 0; c < 2; c++) {
            long q = off + QS + 32 * c;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    int sc = u8(src, off + SCALES + is++);
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) {
                        int code = (u8(src, q + 16 * half + l) >> shift) & 3;
                        y[e++] = dl * code - ml;
                    }
                }
            }
        }
    }

    /**
     * The scalar reference {@code Q2_K · Q8_K} dot product of {@code n} elements (ggml-cpu quants.c
     * {@code ggml_vec_dot_q2_K_q8_K_generic} order).
     */
    public static float vecDot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        int nb = dotBlocks(GgmlType.Q2_K, w, wOff, a, aOff, n);
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long x = wOff + (long) i * 84;
            long y = aOff + (long) i * Q8KCodec.BLOCK_BYTES;
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                summs += a.get(LE_SHORT, y + Q8KCodec.BSUMS + 2L * j) * (u8(w, x + SCALES + j) >> 4);
            }
            float yd = a.get(LE_FLOAT, y);
            float dall = yd * half(w, x + D);
            float dmin = yd * half(w, x + DMIN);
            int isum = 0;
            int is = 0;
            long q8 = y + Q8KCodec.QS;
            for (int c = 0; c < 2; c++) {
                long q2 = x + QS + 32 * c;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 2; half++) {
                        int d = u8(w, x + SCALES + is++) & 0xF;
                        int isuml = 0;
                        for (int l = 0; l < 16; l++) {
                            isuml += a.get(BYTE, q8 + l) * ((u8(w, q2 + 16 * half + l) >> shift) & 3);
                        }
                        isum += d * isuml;
                        q8 += 16;
                    }
                }
            }
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }
}
