package io.mbllm.gguf.quant;

import static io.mbllm.gguf.quant.LittleEndian.BYTE;
import static io.mbllm.gguf.quant.LittleEndian.LE_FLOAT;
import static io.mbllm.gguf.quant.LittleEndian.putInt;
import static io.mbllm.gguf.quant.LittleEndian.putShort;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Q8_K, the activation format of the K-quant dot products ({@code shared/docs/quantization.md} §2, §4.11;
 * ggml-quants.c {@code quantize_row_q8_K_ref}): per 256 values a float32 {@code d} @0, {@code qs[256]} int8 @4
 * and {@code bsums[16]} int16 @260 (sums of {@code qs} over groups of 16). Importance weights are ignored.
 * An all-zero block gets {@code d = 0}, zero codes and zero bsums.
 */
public final class Q8KCodec extends KQuantCodec {
    /** Byte offset of {@code qs} in a block. */
    static final int QS = 4;
    /** Byte offset of {@code bsums} in a block. */
    static final int BSUMS = 260;
    /** Bytes per block. */
    static final int BLOCK_BYTES = 292;

    /** Creates the codec (stateless). */
    public Q8KCodec() {
        super(GgmlType.Q8_K);
    }

    @Override
    public boolean usesImportance() {
        return false;
    }

    @Override
    void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s) {
        float max = ScaleSearch.signedAbsMax(x, xo, QK_K);
        if (max == 0) return; // d = 0, qs = 0, bsums = 0 (block already zero-filled)
        float iscale = -127f / max;
        for (int j = 0; j < QK_K; j++) {
            dst[o + QS + j] = (byte) Math.min(127, Rounding.nearestInt(iscale * x[xo + j]));
        }
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int ii = 0; ii < 16; ii++) sum += dst[o + QS + 16 * g + ii];
            putShort(dst, o + BSUMS + 2 * g, (short) sum);
        }
        putInt(dst, o, Float.floatToRawIntBits(1 / iscale));
    }

    @Override
    void dequantizeBlock(MemorySegment src, long off, float[] y, int yo) {
        float d = src.get(LE_FLOAT, off);
        for (int j = 0; j < QK_K; j++) y[yo + j] = d * src.get(BYTE, off + QS + j);
    }
}
