package io.mbllm.engine.synth;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.TensorInfo;

/**
 * One tensor of a synthetic model: its name, shape ({@code ne}, ne0 first) and how it is filled.
 *
 * @param name tensor name
 * @param ne   shape, ne0 first (the reverse of the numpy shape in the script)
 * @param fill what the elements are
 */
public record SynthTensor(String name, long[] ne, Fill fill) {

    /** How a tensor is filled; the fill decides the storage type. */
    public enum Fill {
        /** N(0, 0.02²) from {@link NormalF16}, stored F16. */
        NORMAL(GgmlType.F16),
        /** All 1.0, stored F32 (norm weights). */
        ONES(GgmlType.F32),
        /** All 0.0, stored F32 (LayerNorm biases). */
        ZEROS(GgmlType.F32);

        private final GgmlType type;

        Fill(GgmlType type) { this.type = type; }

        /** The storage type. */
        public GgmlType type() { return type; }
    }

    public SynthTensor {
        ne = ne.clone();
    }

    @Override public long[] ne() { return ne.clone(); }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : ne) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The GGUF tensor info (offset 0; the writer assigns offsets). */
    public TensorInfo info() { return TensorInfo.of(name, fill.type(), ne); }
}
