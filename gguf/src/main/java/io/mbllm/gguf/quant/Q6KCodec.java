package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.BYTE;
import static io.mbllm.gguf.quant.LittleEndian.LE_FLOAT;
import static io.mbllm.gguf.quant.LittleEndian.half;
import static io.mbllm.gguf.quant.LittleEndian.putHalf;
import static io.mbllm.gguf.quant.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Q6_K: 16 sub-blocks of 16 with int8 scales and 6-bit codes, 210 bytes per 256 weights
 * ({@code shared/docs/quantization.md} §2, §4.10; ggml-quants.c {@code quantize_row_q6_K_ref} /
 * {@code quantize_row_q6_K_impl}). Layout: {@code ql[128]} @0, {@code qh[64]} @128, {@code scales[16]} @192,
 * {@code d} f16 @208.
 */
public final class Q6KCodec extends KQuantCodec {
    private static final int QL = 0, QH = 128, SCALES = 192, D = 208;
    private static final int BLOCK_BYTES = 210;

    /** Creates the codec (stateless). */
    public Q6KCodec() {
        super(GgmlType.Q6_K);
    }

    @Override
    void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        byte[] L = s.L;
        float[] scales = s.scales;
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            // imatrix path: the raw importance weights; reference path: x*x
            float scale = ScaleSearch.makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib, qw, qo + 16 * ib, s.search);
            scales[ib] = scale;
            float absScale = Math.abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) return; // the whole block stays zero
        float iscale = -128f / maxScale;
        putHalf(dst, o + D, 1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            dst[o + SCALES + ib] = (byte) Math.min(127, Rounding.nearestInt(iscale * scales[ib]));
        }
        float dAll = half(dst, o + D);
        for (int j = 0; j < 16; j++) {
            float dd = dAll * dst[o + SCALES + j];
            if (dd == 0) continue; // keep the codes of the first search
            for (int ii = 0; ii < 16; ii++) {
                int l = Rounding.nearestInt(x[xo + 16 * j + ii] / dd);
                L[16 * j + ii] = (byte) (Rounding.clamp(l, -32, 31) + 32);
            }
        }
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * h + l;
                int a0 = L[e], a1 = L[e + 32], a2 = L[e + 64], a3 = L[e + 96];
                dst[o + QL + 64 * h + l] = (byte) ((a0 & 15) | (a2 & 15) << 4);
                dst[o + QL + 64 * h + l + 32] = (byte) ((a1 & 15) | (a3 & 15) << 4);
                dst[o + QH + 32 * h + l] = (byte) ((a0 >> 4) | (a1 >> 4) << 2 | (a2 >> 4) << 4 | (a3 >> 4) << 6);
            }
        }
    }

    /** The signed code (-32..31) of element {@code e} of the block at byte {@code off}. */
    static int code(MemorySegment s, long off, int e) {
        int h = e >> 7, r = e & 127, g = r >> 5, l = r & 31;
        int low4 = (u8(s, off + QL + 64 * h + l + ((g & 1) != 0 ? 32 : 0)) >> (g >= 2 ? 4 : 0)) & 15;
        int high2 = (u8(s, off + QH + 32 * h + l) >> (2 * g)) & 3;
        return (low4 | high2 << 4) - 32;
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] y, int yo) {
        float d = half(src, off + D);
        for (int j = 0; j < 16; j++) {
            float dl = d * src.get(BYTE, off + SCALES + j);
            for (int l = 0; l < 16; l++) {
                int e = 16 * j + l;
                y[yo + e] = dl * code(src, off, e);
            }
        }
    }

    /**
     * The scalar reference {@code Q6_K · Q8_K} dot product of {@code n} elements (ggml-cpu quants.c
     * {@code ggml_vec_dot_q6_K_q8_K_generic}: eight float lanes, summed after the last block).
     */
    public static float vecDot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        int nb = dotBlocks(GgmlType.Q6_K, w, wOff, a, aOff, n);
        float[] sums = new float[8];
        int[] aux = new int[8];
        for (int i = 0; i < nb; i++) {
            long x = wOff + (long) i * BLOCK_BYTES;
            long y = aOff + (long) i * Q8KCodec.BLOCK_BYTES;
            java.util.Arrays.fill(aux, 0);
            for (int j = 0; j < 16; j++) {
                int sc = w.get(BYTE, x + SCALES + j);
                for (int l = 0; l < 16; l++) {
                    int e = 16 * j + l;
                    aux[e & 7] += sc * (a.get(BYTE, y + Q8KCodec.QS + e) * code(w, x, e));
                }
            }
            float d = half(w, x + D) * a.get(LE_FLOAT, y);
            for (int l = 0; l < 8; l++) sums[l] += d * aux[l];
        }
        float sumf = 0;
        for (int l = 0; l < 8; l++) sumf += sums[l];
        return sumf;
    }
}
