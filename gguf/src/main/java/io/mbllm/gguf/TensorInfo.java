package io.mbllm.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor info of a GGUF file: name, shape {@code ne} (ne0 first, innermost/contiguous; its length is the
 * {@code n_dims} as stored), ggml type, and data offset relative to the start of the data section.
 *
 * <p>Dimensions beyond {@link #nDims()} are 1. The constructor checks what every valid tensor satisfies
 * (≤ 4 dims, no negative extent, {@code ne0} a multiple of the block size, byte size fits in a long) and
 * throws {@link IllegalArgumentException} otherwise; the reader checks the same things first and reports
 * them as {@link GgufFormatException}.
 */
public record TensorInfo(String name, long[] ne, GgmlType type, long offset) {
    /** ggml's {@code GGML_MAX_DIMS}. */
    public static final int MAX_DIMS = 4;
    /** Longest tensor name in bytes (ggml's {@code GGML_MAX_NAME} = 64 including the terminator). */
    public static final int MAX_NAME_BYTES = 63;

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        ne = ne.clone();
        if (ne.length > MAX_DIMS) throw new IllegalArgumentException(name + ": " + ne.length + " dims > " + MAX_DIMS);
        for (long n : ne) if (n < 0) throw new IllegalArgumentException(name + ": negative dimension " + n);
        if (offset < 0) throw new IllegalArgumentException(name + ": negative offset " + offset);
        long ne0 = ne.length > 0 ? ne[0] : 1;
        if (ne0 % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": ne0 = " + ne0 + " is not a multiple of the "
                    + type.ggmlName() + " block size " + type.blockSize());
        }
        if (byteSizeOrNegative(ne, type) < 0) throw new IllegalArgumentException(name + ": size overflows int64");
    }

    /** A tensor at offset 0 (the writer assigns real offsets). */
    public static TensorInfo of(String name, GgmlType type, long... ne) {
        return new TensorInfo(name, ne, type, 0);
    }

    /** Byte size of a tensor of this shape and type, or -1 on int64 overflow (element count or bytes). */
    static long byteSizeOrNegative(long[] ne, GgmlType type) {
        try {
            long elements = 1;
            for (long n : ne) elements = Math.multiplyExact(elements, n);
            long ne0 = ne.length > 0 ? ne[0] : 1;
            long bytes = Math.multiplyExact(ne0 / type.blockSize(), (long) type.typeSize());
            for (int i = 1; i < ne.length; i++) bytes = Math.multiplyExact(bytes, ne[i]);
            return bytes;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** A copy of the shape ({@code ne}, ne0 first). */
    @Override public long[] ne() { return ne.clone(); }

    /** Number of dimensions as stored ({@code n_dims}). */
    public int nDims() { return ne.length; }

    /** Extent of dimension {@code i} (1 beyond {@link #nDims()}). */
    public long ne(int i) {
        if (i < 0 || i >= MAX_DIMS) throw new IndexOutOfBoundsException(i);
        return i < ne.length ? ne[i] : 1;
    }

    /** Total number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** Number of rows ({@code elementCount / ne0}; 0 when empty). */
    public long rowCount() {
        long ne0 = ne(0);
        return ne0 == 0 ? 0 : elementCount() / ne0;
    }

    /** Bytes of one row of {@code ne0} elements. */
    public long rowBytes() { return type.rowBytes(ne(0)); }

    /** Data size in bytes: {@code (ne0/block) * typeSize * ne1 * ne2 * ne3}. */
    public long byteSize() { return byteSizeOrNegative(ne, type); }

    /**
     * ggml's {@code ggml_n_dims}: the index of the last dimension with {@code ne > 1}, plus one (at least 1).
     * ggml's writer (llama-quantize) stores this many dims; gguf-py stores the source rank.
     */
    public int ggmlNDims() {
        for (int i = ne.length - 1; i >= 1; i--) if (ne[i] > 1) return i + 1;
        return 1;
    }

    /** The same tensor with {@link #ggmlNDims()} dims (trailing 1s dropped), as ggml's writer stores it. */
    public TensorInfo withGgmlNDims() {
        long[] shape = new long[ggmlNDims()];
        for (int i = 0; i < shape.length; i++) shape[i] = ne(i);
        return new TensorInfo(name, shape, type, offset);
    }

    /** The same tensor with another type (same shape). */
    public TensorInfo withType(GgmlType newType) { return new TensorInfo(name, ne, newType, offset); }

    /** The same tensor at another data offset. */
    public TensorInfo withOffset(long newOffset) { return new TensorInfo(name, ne, type, newOffset); }

    @Override public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.ne, ne) && t.type == type
                && t.offset == offset;
    }

    @Override public int hashCode() { return Objects.hash(name, Arrays.hashCode(ne), type, offset); }

    @Override public String toString() {
        return name + " " + type.ggmlName() + " " + Arrays.toString(ne) + " @" + offset;
    }
}
