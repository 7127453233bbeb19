package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.half;
import static io.mbllm.gguf.quant.LittleEndian.u8;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Q4_K: eight sub-blocks of 32 with 6-bit scales and mins and 4-bit codes, 144 bytes per 256 weights
 * ({@code shared/docs/quantization.md} §2, §4.8; ggml-quants.c {@code quantize_row_q4_K_ref} /
 * {@code quantize_row_q4_K_impl}). Layout: {@code d} f16 @0, {@code dmin} f16 @2, {@code scales[12]} @4,
 * {@code qs[128]} @16.
 */
public final class Q4KCodec extends KQuantCodec {
    private static final int QS = 16;
    private static final int BLOCK_BYTES = 144;

    /** Creates the codec (stateless). */
    public Q4KCodec() {
        super(GgmlType.Q4_K);
    }

    @Override
    void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        KScaleMin.quantize(KScaleMin.Q4_K, x, xo, qw, qo, dst, o, s);
        byte[] L = s.L;
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                dst[o + QS + 32 * c + l] = (byte) (L[64 * c + l] | (L[64 * c + l + 32] << 4));
            }
        }
    }

    /** The 4-bit code (0..15) of element {@code e} of the block at byte {@code off}. */
    static int code(MemorySegment s, long off, int e) {
        int r = e & 63;
        return (u8(s, off + QS + 32 * (e >> 6) + (r & 31)) >> (4 * (r >> 5))) & 15;
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
            for (int l = 0; l < 32; l++) y[yo + 32 * j + l] = dl * ((u8(src, q + l) >> shift) & 15) - ml;
        }
    }

    /**
     * The scalar reference {@code Q4_K · Q8_K} dot product of {@code n} elements (ggml-cpu quants.c
     * {@code ggml_vec_dot_q4_K_q8_K_generic} order).
     */
    public static float vecDot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        int nb = dotBlocks(GgmlType.Q4_K, w, wOff, a, aOff, n);
        return KScaleMin.vecDot(w, wOff, BLOCK_BYTES, a, aOff, nb, Q4KCodec::code);
    }
}
