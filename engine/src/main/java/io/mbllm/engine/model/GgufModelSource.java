package io.mbllm.engine.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mbllm.engine.model.MetaValue.Kind;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufValueType;
import io.mbllm.gguf.TensorInfo;

/**
 * A {@link ModelSource} over a memory-mapped {@link GgufFile}: metadata values keep their GGUF types, tensors
 * are zero-copy slices of the mapping. Closing it unmaps the file; models built on it must not be used after.
 */
public final class GgufModelSource implements ModelSource, AutoCloseable {
    private final GgufFile file;
    private final String name;

    private GgufModelSource(GgufFile file, String name) {
        this.file = file;
        this.name = name;
    }

    /** Maps and validates the GGUF file at {@code path} ({@link io.mbllm.gguf.GgufFormatException} if malformed). */
    public static GgufModelSource open(Path path) throws IOException {
        return new GgufModelSource(GgufFile.open(path), path.toString());
    }

    /** Wraps an open file; closing the source closes it. */
    public static GgufModelSource of(GgufFile file) {
        return new GgufModelSource(file, file.path() != null ? file.path().toString() : "in-memory GGUF");
    }

    /** The underlying file (tokenizer and template code read their keys from it). */
    public GgufFile file() {
        return file;
    }

    @Override
    public Optional<MetaValue> meta(String key) {
        return file.metadata().find(key).map(GgufModelSource::convert);
    }

    @Override
    public Optional<Tensor> tensor(String tensorName) {
        return file.findTensor(tensorName).map(this::convert);
    }

    @Override
    public String describe() {
        return name;
    }

    private Tensor convert(TensorInfo t) {
        return new Tensor(t.name(), t.type(), t.ne(), file.tensorData(t));
    }

    private static Kind kind(GgufValueType t) {
        return Kind.valueOf(t.name());
    }

    private static MetaValue convert(GgufValue v) {
        return switch (v) {
            case GgufValue.UInt8 x -> new MetaValue.Num(Kind.UINT8, x.value());
            case GgufValue.Int8 x -> new MetaValue.Num(Kind.INT8, x.value());
            case GgufValue.UInt16 x -> new MetaValue.Num(Kind.UINT16, x.value());
            case GgufValue.Int16 x -> new MetaValue.Num(Kind.INT16, x.value());
            case GgufValue.UInt32 x -> new MetaValue.Num(Kind.UINT32, x.value());
            case GgufValue.Int32 x -> new MetaValue.Num(Kind.INT32, x.value());
            case GgufValue.Float32 x -> new MetaValue.Num(Kind.FLOAT32, x.value());
            case GgufValue.UInt64 x -> new MetaValue.Num(Kind.UINT64, x.bits());
            case GgufValue.Int64 x -> new MetaValue.Num(Kind.INT64, x.value());
            case GgufValue.Float64 x -> new MetaValue.Num(Kind.FLOAT64, x.value());
            case GgufValue.Bool x -> new MetaValue.Bool(x.value());
            case GgufValue.Str x -> new MetaValue.Text(x.text());
            case GgufValue.NumericArray a -> {
                Kind k = kind(a.elementType());
                List<MetaValue> out = new ArrayList<>(a.size());
                for (int i = 0; i < a.size(); i++) {
                    out.add(switch (k) {
                        case BOOL -> new MetaValue.Bool(a.getLong(i) != 0);
                        case FLOAT32 -> new MetaValue.Num(k, (float) a.getDouble(i));
                        case FLOAT64 -> new MetaValue.Num(k, a.getDouble(i));
                        default -> new MetaValue.Num(k, a.getLong(i));
                    });
                }
                yield new MetaValue.Array(k, out);
            }
            case GgufValue.StringArray a -> {
                List<MetaValue> out = new ArrayList<>(a.size());
                for (int i = 0; i < a.size(); i++) out.add(new MetaValue.Text(a.get(i)));
                yield new MetaValue.Array(Kind.STRING, out);
            }
            case GgufValue.NestedArray a -> {
                List<MetaValue> out = new ArrayList<>(a.size());
                for (GgufValue.Array e : a.elements()) out.add(convert(e));
                yield new MetaValue.Array(Kind.ARRAY, out);
            }
        };
    }

    @Override
    public void close() {
        file.close();
    }
}
