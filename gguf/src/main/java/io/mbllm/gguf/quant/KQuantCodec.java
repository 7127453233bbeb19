package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import io.mbllm.gguf.GgmlType;

/**
 * Common frame of the K-quant codecs (256-element super-blocks, {@code shared/docs/quantization.md} §4.6–4.11):
 * argument checks, the block loop and one {@link KScratch} per row. Subclasses
 * quantize and dequantize one super-block.
 */
public abstract sealed class KQuantCodec implements QuantCodec
        permits Q2KCodec, Q3KCodec, Q4KCodec, Q5KCodec, Q6KCodec, Q8KCodec {

    /** Elements per super-block ({@code QK_K}). */
    public static final int QK_K = 256;

    private final GgmlType type;

    KQuantCodec(GgmlType type) {
        this.type = type;
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public final void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst, int dstOff) {
        float[] qw = usesImportance() ? importance : null;
        CodecChecks.checkQuantize(type, src, srcOff, qw, impOff, n, dst, dstOff);
        int bytes = type.typeSize();
        KScratch s = new KScratch();
        for (int b = 0; b < n / QK_K; b++) {
            int o = dstOff + b * bytes;
            Arrays.fill(dst, o, o + bytes, (byte) 0);
            quantizeBlock(src, srcOff + b * QK_K, qw, impOff + b * QK_K, dst, o, s);
        }
    }

    @Override
    public final void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(type, src, srcOff, dst, dstOff, n);
        for (int b = 0; b < n / QK_K; b++) {
            dequantizeBlock(src, srcOff + (long) b * type.typeSize(), dst, dstOff + b * QK_K);
        }
    }

    /** Quantizes 256 floats at {@code x[xo]} into the zero-filled block at {@code dst[o]}; {@code qw} null = reference path. */
    abstract void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s);

    /** Dequantizes the block at byte {@code off} into {@code y[yo..yo+256)}. */
    abstract void dequantizeBlock(MemorySegment src, long off, float[] y, int yo);

    /** Checks the arguments of a dot product with Q8_K activations over {@code n} elements; returns the super-blocks. */
    static int dotBlocks(GgmlType weightType, MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(weightType, w, wOff, GgmlType.Q8_K, a, aOff, n);
        return n / QK_K;
    }
}
