package io.mbllm.engine.model;

import java.util.Optional;

import io.mbllm.engine.model.MetaValue.Kind;

/**
 * Reads configuration keys with llama.cpp's exact type rules: counts are UINT32, real numbers FLOAT32, flags
 * BOOL, names STRING; per-layer counts may instead be an integer array with one value per layer. A key of the
 * wrong type is a {@link ModelLoadException} naming the key, its type and the expected one.
 */
final class MetaReader {
    private final ModelSource source;
    private final String prefix;

    MetaReader(ModelSource source, String prefix) {
        this.source = source;
        this.prefix = prefix;
    }

    /** The full key for a key relative to the architecture prefix. */
    String key(String relative) {
        return prefix + relative;
    }

    private ModelLoadException wrongType(String key, MetaValue v, String expected) {
        return new ModelLoadException(source.describe() + ": metadata key '" + key + "' has type " + v.typeName()
                + ", expected " + expected);
    }

    private ModelLoadException missing(String key) {
        return new ModelLoadException(source.describe() + ": required metadata key '" + key + "' is missing");
    }

    Optional<String> string(String key) throws ModelLoadException {
        Optional<MetaValue> v = source.meta(key);
        if (v.isEmpty()) return Optional.empty();
        if (v.get() instanceof MetaValue.Text t) return Optional.of(t.value());
        throw wrongType(key, v.get(), "STRING");
    }

    String requireString(String key) throws ModelLoadException {
        return string(key).orElseThrow(() -> missing(key));
    }

    Optional<Integer> u32(String key) throws ModelLoadException {
        Optional<MetaValue> v = source.meta(key);
        if (v.isEmpty()) return Optional.empty();
        if (v.get() instanceof MetaValue.Num n && n.kind() == Kind.UINT32) return Optional.of(checkedInt(key, n.value().longValue()));
        throw wrongType(key, v.get(), "UINT32");
    }

    int requireU32(String key) throws ModelLoadException {
        return u32(key).orElseThrow(() -> missing(key));
    }

    Optional<Float> f32(String key) throws ModelLoadException {
        Optional<MetaValue> v = source.meta(key);
        if (v.isEmpty()) return Optional.empty();
        if (v.get() instanceof MetaValue.Num n && n.kind() == Kind.FLOAT32) return Optional.of(n.value().floatValue());
        throw wrongType(key, v.get(), "FLOAT32");
    }

    Optional<Boolean> bool(String key) throws ModelLoadException {
        Optional<MetaValue> v = source.meta(key);
        if (v.isEmpty()) return Optional.empty();
        if (v.get() instanceof MetaValue.Bool b) return Optional.of(b.value());
        throw wrongType(key, v.get(), "BOOL");
    }

    /**
     * A per-layer count: a UINT32 scalar (same for every layer) or an array of {@code nLayer} integers.
     */
    Optional<int[]> u32PerLayer(String key, int nLayer) throws ModelLoadException {
        Optional<MetaValue> v = source.meta(key);
        if (v.isEmpty()) return Optional.empty();
        int[] out = new int[nLayer];
        switch (v.get()) {
            case MetaValue.Num n when n.kind() == Kind.UINT32 -> java.util.Arrays.fill(out, checkedInt(key, n.value().longValue()));
            case MetaValue.Array a when a.elementKind() == Kind.UINT32 || a.elementKind() == Kind.INT32 -> {
                if (a.elements().size() != nLayer) {
                    throw new ModelLoadException(source.describe() + ": metadata key '" + key + "' has "
                            + a.elements().size() + " values, expected one per layer (" + nLayer + ")");
                }
                for (int i = 0; i < nLayer; i++) {
                    out[i] = checkedInt(key, ((MetaValue.Num) a.elements().get(i)).value().longValue());
                }
            }
            default -> throw wrongType(key, v.get(), "UINT32 or ARRAY<UINT32> with one value per layer");
        }
        return Optional.of(out);
    }

    private int checkedInt(String key, long value) throws ModelLoadException {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new ModelLoadException(source.describe() + ": metadata key '" + key + "' = " + value + " is out of range");
        }
        return (int) value;
    }
}
