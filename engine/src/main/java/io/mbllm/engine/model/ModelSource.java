package io.mbllm.engine.model;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Optional;

import io.mbllm.gguf.GgmlType;

/**
 * What the engine needs from a model file: typed metadata and tensors whose bytes stay where they are
 * (normally zero-copy slices of a memory-mapped GGUF file). A GGUF reader adapts to this; tests may build one
 * in memory. The source owns the memory: it must stay open while a {@link Model} built from it is in use.
 */
public interface ModelSource {
    /** The metadata value stored under {@code key}, if any. */
    Optional<MetaValue> meta(String key);

    /** The tensor called {@code name}, if any. */
    Optional<Tensor> tensor(String name);

    /** A short name for messages (usually the file path). */
    String describe();

    /**
     * A tensor: ggml type, shape in ggml order ({@code shape[0]} is the contiguous row length) and its raw bytes.
     */
    record Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        public Tensor {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Number of dimensions. */
        public int rank() {
            return shape.length;
        }

        /** Extent of dimension {@code i} (1 beyond the rank). */
        public long dim(int i) {
            return i < shape.length ? shape[i] : 1;
        }

        /** The shape written as {@code [a, b]}. */
        public String shapeString() {
            return Arrays.toString(shape);
        }
    }
}
