package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import io.mbllm.gguf.GgmlType;

/**
 * Argument checks shared by every codec and dot product: lengths a non-negative multiple of the block size
 * ({@link IllegalArgumentException}), every range inside its array or segment ({@link IndexOutOfBoundsException}),
 * no null buffer ({@link NullPointerException}).
 */
final class CodecChecks {
    private CodecChecks() {}

    /**
     * Checks the arguments of {@link QuantCodec#quantizeRow}; {@code imp} is checked only when non-null (codecs
     * that ignore importance pass null here).
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
