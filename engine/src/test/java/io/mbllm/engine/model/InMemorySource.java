package io.mbllm.engine.model;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.mbllm.engine.model.MetaValue.Kind;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/** A {@link ModelSource} held in memory, for tests: metadata and tensors put in by hand. */
final class InMemorySource implements ModelSource {
    final Map<String, MetaValue> meta = new LinkedHashMap<>();
    final Map<String, Tensor> tensors = new LinkedHashMap<>();

    @Override
    public Optional<MetaValue> meta(String key) {
        return Optional.ofNullable(meta.get(key));
    }

    @Override
    public Optional<Tensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public String describe() {
        return "in-memory model";
    }

    InMemorySource u32(String key, int v) {
        meta.put(key, new MetaValue.Num(Kind.UINT32, (long) v));
        return this;
    }

    InMemorySource f32(String key, float v) {
        meta.put(key, new MetaValue.Num(Kind.FLOAT32, v));
        return this;
    }

    InMemorySource str(String key, String v) {
        meta.put(key, new MetaValue.Text(v));
        return this;
    }

    /** Stores {@code values} (row-major, rows of {@code shape[0]}) quantized to {@code type}. */
    InMemorySource tensor(String name, GgmlType type, float[] values, long... shape) {
        QuantCodec codec = QuantTypes.codec(type);
        int cols = (int) shape[0];
        int rows = values.length / cols;
        int rowBytes = (int) type.rowBytes(cols);
        byte[] bytes = new byte[rowBytes * rows];
        for (int r = 0; r < rows; r++) codec.quantizeRow(values, r * cols, null, 0, cols, bytes, r * rowBytes);
        tensors.put(name, new Tensor(name, type, shape, MemorySegment.ofArray(bytes)));
        return this;
    }

    InMemorySource remove(String name) {
        tensors.remove(name);
        meta.remove(name);
        return this;
    }
}
