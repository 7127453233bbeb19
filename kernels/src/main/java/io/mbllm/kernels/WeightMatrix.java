package io.mbllm.kernels;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * A 2-D weight tensor as stored in GGUF: {@code rows} rows of {@code cols} elements of {@code type}, row-major,
 * usually a zero-copy slice of the memory-mapped model file. {@code y = W x} is the dot product of each row
 * with {@code x}.
 */
public record WeightMatrix(String name, GgmlType type, MemorySegment data, int cols, int rows) {
    public WeightMatrix {
        long need = type.rowBytes(cols) * (long) rows;
        if (data.byteSize() < need) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + rows + "x" + cols + " " + type.ggmlName() + " (needs " + need + ")");
        }
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.rowBytes(cols);
    }
}
