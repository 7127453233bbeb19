package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Common frame of the 32-element block types that take an imatrix (Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL;
 * {@code shared/docs/quantization.md} §4.2–4.5, §4.12): argument checks, the choice between the reference and the
 * imatrix quantizer, and the block loop of dequantization.
 */
abstract sealed class LegacyBlockCodec implements QuantCodec
        permits Q4_0Codec, Q4_1Codec, Q5_0Codec, Q5_1Codec, IQ4_NLCodec {

    /** Elements per block. */
    static final int QK = 32;

    private final GgmlType type;

    LegacyBlockCodec(GgmlType type) {
        this.type = type;
    }

    @Override
    public final GgmlType type() { return type; }

    @Override
    public final boolean usesImportance() { return true; }

    @Override
    public final void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst,
                                  int dstOff) {
        CodecChecks.checkQuantize(type, src, srcOff, importance, impOff, n, dst, dstOff);
        if (importance == null) {
            quantizeRef(src, srcOff, n, dst, dstOff);
        } else {
            quantizeImatrix(src, srcOff, importance, impOff, n, dst, dstOff);
        }
    }

    /** ggml's {@code quantize_row_*_ref} over {@code n} checked elements. */
    abstract void quantizeRef(float[] src, int srcOff, int n, byte[] dst, int dstOff);

    /** ggml's {@code quantize_row_*_impl} with importance weights {@code qw[qwOff..]} over {@code n} checked elements. */
    abstract void quantizeImatrix(float[] src, int srcOff, float[] qw, int qwOff, int n, byte[] dst, int dstOff);

    @Override
    public final void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(type, src, srcOff, dst, dstOff, n);
        for (int b = 0; b < n / QK; b++) {
            dequantizeBlock(src, srcOff + (long) b * type.typeSize(), dst, dstOff + b * QK);
        }
    }

    /** Dequantizes the block at byte {@code s} into {@code dst[o..o+32)}. */
    abstract void dequantizeBlock(MemorySegment src, long s, float[] dst, int o);
}
