package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

import io.mbllm.gguf.GgmlType;

/**
 * Common frame of the K-quant codecs (256-element super-blocks, {@code shared/docs/quantization.md} §4.6–4.11):
 * argument checks, the block loop, one {@link KScratch} per row, and little-endian field access. Subclasses
 * quantize and dequantize one super-block.
 */
public abstract sealed class KQuantCodec implements QuantCodec
        permits Q2KCodec, Q3KCodec, Q4KCodec, Q5KCodec, Q6KCodec, Q8KCodec {

    /** Elements per super-block ({@code QK_K}). */
    public static final int QK_K = 256;

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

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
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        int blocks = blocks(n);
        int bytes = type.typeSize();
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, blocks * bytes, dst.length);
        float[] qw = usesImportance() ? importance : null;
        if (qw != null) Objects.checkFromIndexSize(impOff, n, qw.length);
        KScratch s = new KScratch();
        for (int b = 0; b < blocks; b++) {
            int o = dstOff + b * bytes;
            Arrays.fill(dst, o, o + bytes, (byte) 0);
            quantizeBlock(src, srcOff + b * QK_K, qw, impOff + b * QK_K, dst, o, s);
        }
    }

    @Override
    public final void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        int blocks = blocks(n);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        Objects.checkFromIndexSize(srcOff, (long) blocks * type.typeSize(), src.byteSize());
        for (int b = 0; b < blocks; b++) {
            dequantizeBlock(src, srcOff + (long) b * type.typeSize(), dst, dstOff + b * QK_K);
        }
    }

    /** Quantizes 256 floats at {@code x[xo]} into the zero-filled block at {@code dst[o]}; {@code qw} null = reference path. */
    abstract void quantizeBlock(float[] x, int xo, float[] qw, int qo, byte[] dst, int o, KScratch s);

    /** Dequantizes the block at byte {@code off} into {@code y[yo..yo+256)}. */
    abstract void dequantizeBlock(MemorySegment src, long off, float[] y, int yo);

    /** Number of super-blocks in a row of {@code n}; rejects lengths that are not a positive multiple of 256. */
    final int blocks(int n) {
        if (n < 0 || n % QK_K != 0) {
            throw new IllegalArgumentException(type.ggmlName() + ": row length " + n + " is not a multiple of " + QK_K);
        }
        return n / QK_K;
    }

    /** Checks the arguments of a dot product over {@code n} elements and returns the number of super-blocks. */
    static int dotBlocks(GgmlType weightType, MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        Objects.requireNonNull(w, "weights");
        Objects.requireNonNull(a, "activations");
        if (n < 0 || n % QK_K != 0) {
            throw new IllegalArgumentException(weightType.ggmlName() + " dot: length " + n + " is not a multiple of " + QK_K);
        }
        int nb = n / QK_K;
        Objects.checkFromIndexSize(wOff, (long) nb * weightType.typeSize(), w.byteSize());
        Objects.checkFromIndexSize(aOff, (long) nb * GgmlType.Q8_K.typeSize(), a.byteSize());
        return nb;
    }

    static void putF16(byte[] dst, int o, short h) {
        dst[o] = (byte) h;
        dst[o + 1] = (byte) (h >> 8);
    }

    static short getF16(byte[] b, int o) {
        return (short) ((b[o] & 0xFF) | (b[o + 1] << 8));
    }

    static float f16(MemorySegment s, long off) {
        return Half.toFloat(s.get(LE_SHORT, off));
    }

    static int u8(MemorySegment s, long off) {
        return s.get(BYTE, off) & 0xFF;
    }
}
