package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import io.mbllm.gguf.GgmlType;

/**
 * Little-endian field access and argument checks shared by the float and legacy block codecs. Heap byte arrays
 * are written when quantizing; memory segments (usually mapped weights) are read when dequantizing.
 */
final class LegacyBytes {
    private LegacyBytes() {}

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static void putShort(byte[] dst, int off, short v) {
        dst[off] = (byte) v;
        dst[off + 1] = (byte) (v >>> 8);
    }

    static void putInt(byte[] dst, int off, int v) {
        dst[off] = (byte) v;
        dst[off + 1] = (byte) (v >>> 8);
        dst[off + 2] = (byte) (v >>> 16);
        dst[off + 3] = (byte) (v >>> 24);
    }

    /** Stores {@code f} as ggml fp16 at {@code off}. */
    static void putHalf(byte[] dst, int off, float f) {
        putShort(dst, off, Half.fromFloat(f));
    }

    /** Reads the fp16 at byte {@code off} of {@code seg} as a float. */
    static float half(MemorySegment seg, long off) {
        return Half.toFloat(seg.get(LE_SHORT, off));
    }

    /**
     * Checks the arguments of {@link QuantCodec#quantizeRow}: {@code n} a non-negative multiple of the block size,
     * every range inside its array. Throws {@link IllegalArgumentException} or {@link IndexOutOfBoundsException}.
     */
    static void checkQuantize(GgmlType type, float[] src, int srcOff, float[] imp, int impOff, int n,
                              byte[] dst, int dstOff) {
        checkLength(type, n);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(srcOff, n, src.length);
        if (imp != null) Objects.checkFromIndexSize(impOff, n, imp.length);
        Objects.checkFromIndexSize(dstOff, (int) type.rowBytes(n), dst.length);
    }

    /** Checks the arguments of {@link QuantCodec#dequantizeRow} (see {@link #checkQuantize}). */
    static void checkDequantize(GgmlType type, MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        checkLength(type, n);
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        Objects.checkFromIndexSize(srcOff, type.rowBytes(n), src.byteSize());
        Objects.checkFromIndexSize(dstOff, n, dst.length);
    }

    /** Checks the arguments of a {@link VecDot} whose activations are in format {@code act}. */
    static void checkDot(GgmlType weights, MemorySegment w, long wOff, GgmlType act, MemorySegment a, long aOff, int n) {
        checkLength(weights, n);
        checkLength(act, n);
        Objects.requireNonNull(w, "weights");
        Objects.requireNonNull(a, "activations");
        Objects.checkFromIndexSize(wOff, weights.rowBytes(n), w.byteSize());
        Objects.checkFromIndexSize(aOff, act.rowBytes(n), a.byteSize());
    }

    private static void checkLength(GgmlType type, int n) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type.ggmlName() + ": row length " + n
                    + " is not a non-negative multiple of the block size " + type.blockSize());
        }
    }
}
