package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.BYTE;
import static io.mbllm.gguf.quant.LittleEndian.LE_FLOAT;
import static io.mbllm.gguf.quant.LittleEndian.half;
import static io.mbllm.gguf.quant.LittleEndian.putHalf;
import static io.mbllm.gguf.quant.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Q3_K: 16 sub-blocks of 16 with signed 6-bit scales and 3-bit codes, 110 bytes per 256 weights
 * ({@code shared/docs/quantization.md} §2, §4.7; ggml-quants.c {@code quantize_row_q3_K_ref} /
 * {@code quantize_row_q3_K_impl}). Layout: {@code hmask[32]} @0, {@code qs[64]} @32, {@code scales[12]} @96,
 * {@code d} f16 @108.
 */
public final class Q3KCodec extends KQuantCodec {
    private static final int HMASK = 0, QS = 32, SCALES = 96, D = 108;
    private static final int BLOCK_BYTES = 110;

    /** Creates the codec (stateless). */
    public Q3KCodec() {
        super(GgmlType.Q3_K);
    }

    @Override
    void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        byte[] L = s.L;
        float[] scales = s.scales;
        if (qw == null) {
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < 16; j++) {
                scales[j] = ScaleSearch.makeQ3Quants(16, 4, x, xo + 16 * j, L, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            if (maxScale != 0) {
                float iscale = -32f / maxScale;
                for (int j = 0; j < 16; j++) {
                    int l = (byte) Rounding.nearestInt(iscale * scales[j]); // ggml stores into int8_t first
                    putScale(dst, o, j, Rounding.clamp(l, -32, 31) + 32);
                }
                putHalf(dst, o + D, 1 / iscale);
            } else {
                putHalf(dst, o + D, 0f);
            }
        } else {
            float[] w = s.weights;
            float sumx2 = ScaleSearch.sumOfSquares(x, xo, QK_K);
            float sigma2 = 2 * sumx2 / QK_K;
            for (int j = 0; j < 16; j++) {
                ScaleSearch.imatrixWeights(x, xo + 16 * j, qw, qo + 16 * j, sigma2, w, 0, 16);
                float sumw = 0;
                for (int l = 0; l < 16; l++) sumw += w[l];
                s.sw[j] = sumw;
                scales[j] = ScaleSearch.makeQxQuants(16, 4, x, xo + 16 * j, L, 16 * j, w, 0, s.search);
            }
            float dBlock = ScaleSearch.makeQxQuants(16, 32, scales, 0, s.ls, 0, s.sw, 0, s.search);
            for (int j = 0; j < 16; j++) putScale(dst, o, j, s.ls[j]);
            putHalf(dst, o + D, dBlock);
        }
        // re-quantize with the stored fp16 d and the 6-bit scales
        float dAll = half(dst, o + D);
        for (int j = 0; j < 16; j++) {
            float dd = dAll * scale(dst, o, j);
            if (dd == 0) continue; // keep the codes of the first search
            for (int ii = 0; ii < 16; ii++) {
                int l = Rounding.nearestInt(x[xo + 16 * j + ii] / dd);
                L[16 * j + ii] = (byte) (Rounding.clamp(l, -4, 3) + 4);
            }
        }
        for (int e = 0; e < QK_K; e++) {
            if (L[e] > 3) {
                dst[o + HMASK + (e & 31)] |= (byte) (1 << (e >> 5));
                L[e] -= 4;
            }
        }
        for (int c = 0; c < 2; c++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * c + l;
                dst[o + QS + 32 * c + l] = (byte) (L[e] | (L[e + 32] << 2) | (L[e + 64] << 4) | (L[e + 96] << 6));
            }
        }
    }

    /** Writes the biased 6-bit scale {@code l} (0..63) of sub-block {@code j}. */
    private static void putScale(byte[] dst, int o, int j, int l) {
        if (j < 8) {
            dst[o + SCALES + j] = (byte) (l & 0xF);
        } else {
            dst[o + SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
        }
        dst[o + SCALES + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
    }

    /** The signed scale (-32..31) of sub-block {@code j} of the block at {@code dst[o]}. */
    private static int scale(byte[] b, int o, int j) {
        int low4 = j < 8 ? b[o + SCALES + j] & 0xF : (b[o + SCALES + j - 8] & 0xFF) >> 4;
        int high2 = ((b[o + SCALES + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3;
        return (low4 | high2 << 4) - 32;
    }

    /** The signed scale (-32..31) of sub-block {@code j} of the block at byte {@code off}. */
    private static int scale(MemorySegment s, long off, int j) {
        int low4 = j < 8 ? u8(s, off + SCALES + j) & 0xF : u8(s, off + SCALES + j - 8) >> 4;
        int high2 = (u8(s, off + SCALES + 8 + j % 4) >> (2 * (j / 4))) & 3;
        return (low4 | high2 << 4) - 32;
    }

    /** The signed code (-4..3) of element {@code e} of the block at byte {@code off}. */
    private static int code(MemorySegment s, long off, int e) {
        int r = e & 127;
        int low2 = (u8(s, off + QS + 32 * (e >> 7) + (r & 31)) >> (2 * (r >> 5))) & 3;
        int high = (u8(s, off + HMASK + (e & 31)) >> (e >> 5)) & 1;
        return low2 - (high != 0 ? 0 : 4);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] y, int yo) {
        float dAll = half(src, off + D);
        for (int j = 0; j < 16; j++) {
            float dl = dAll * scale(src, off, j);
            for (int l = 0; l < 16; l++) {
                int e = 16 * j + l;
                y[yo + e] = dl * code(src, off, e);
            }
        }
    }

    /**
     * The scalar reference {@code Q3_K · Q8_K} dot product of {@code n} elements (ggml-cpu quants.c
     * {@code ggml_vec_dot_q3_K_q8_K_generic}: eight float lanes, summed after the last block).
     */
    public static float vecDot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        int nb = dotBlocks(GgmlType.Q3_K, w, wOff, a, aOff, n);
        float[] sums = new float[8];
        int[] aux = new int[8];
        for (int i = 0; i < nb; i++) {
            long x = wOff + (long) i * BLOCK_BYTES;
            long y = aOff + (long) i * Q8KCodec.BLOCK_BYTES;
            java.util.Arrays.fill(aux, 0);
            for (int j = 0; j < 16; j++) {
                int sc = scale(w, x, j);
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
