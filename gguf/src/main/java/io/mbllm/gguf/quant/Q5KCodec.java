package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.half;
import static io.mbllm.gguf.quant.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Q5_K: eight sub-blocks of 32 with 6-bit scales and mins and 5-bit codes, 176 bytes per 256 weights
 * ({@code shared/docs/quantization.md} §2, §4.9; ggml-quants.c {@code quantize_row_q5_K_ref} /
 * {@code quantize_row_q5_K_impl}). Layout: {@code d} f16 @0, {@code dmin} f16 @2, {@code scales[12]} @4,
 * {@code qh[32]} @16, {@code qs[128]} @48.
 */
public final class Q5KCodec extends KQuantCodec {
    private static final int QH = 16, QS = 48;
    private static final int BLOCK_BYTES = 176;

    /** Creates the codec (stateless). */
    public Q5KCodec() {
        super(GgmlType.Q5_K);
    }

    @Override
    void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        KScaleMin.quantize(KScaleMin.Q5_K, x, xo, qw, qo, dst, o, s);
        byte[] L = s.L;
        for (int c = 0; c < 4; c++) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[64 * c + j];
                int l2 = L[64 * c + j + 32];
                if (l1 > 15) {
                    l1 -= 16;
                    dst[o + QH + j] |= (byte) (1 << (2 * c));
                }
                if (l2 > 15) {
                    l2 -= 16;
                    dst[o + QH + j] |= (byte) (2 << (2 * c));
                }
                dst[o + QS + 32 * c + j] = (byte) (l1 | (l2 << 4));
            }
        }
    }

    /** The 5-bit code (0..31) of element {@code e} of the block at byte {@code off}. */
    static int code(MemorySegment s, long off, int e) {
        int r = e & 63;
        int low = (u8(s, off + QS + 32 * (e >> 6) + (r & 31)) >> (4 * (r >> 5))) & 15;
        int high = (u8(s, off + QH + (e & 31)) >> (e >> 5)) & 1;
        return low | high << 4;
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] y, int yo) {
        float d = half(src, off + KScaleMin.D);
        float min = half(src, off + KScaleMin.DMIN);
        for (int j = 0; j < 8; j++) {
            float dl = d * KScaleMin.scale(src, off + KScaleMin.SCALES, j);
            float ml = min * KScaleMin.min(src, off + KScaleMin.SCALES, j);
            long q = off + QS + 32 * (j >> 1);
            int shift = 4 * (j & 1);
            for (int l = 0; l < 32; l++) {
                int code = ((u8(src, q + l) >> shift) & 15) + (((u8(src, off + QH + l) >> j) & 1) << 4);
                y[yo + 32 * j + l] = dl * code - ml;
            }
        }
    }

    /**
     * The scalar reference {@code Q5_K · Q8_K} dot product of {@code n} elements (ggml-cpu quants.c
     * {@code ggml_vec_dot_q5_K_q8_K_generic} order).
     */
    public static float vecDot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        int nb = dotBlocks(GgmlType.Q5_K, w, wOff, a, aOff, n);
        return KScaleMin.vecDot(w, wOff, BLOCK_BYTES, a, aOff, nb, Q5KCodec::code);
    }
}
