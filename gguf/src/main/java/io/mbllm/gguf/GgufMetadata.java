package io.mbllm.gguf;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The ordered key→value metadata of a GGUF file (insertion order = file order), immutable.
 *
 * <p>Typed getters check the stored type and throw {@link GgufFormatException} (naming the key and, for a
 * parsed file, its offset) when the key is missing or has another type; the {@code find…} and
 * default-taking variants return empty / the default when the key is absent but still reject a wrong type.
 */
public final class GgufMetadata {
    /** The alignment key ({@code general.alignment}, UINT32, power of two). */
    public static final String ALIGNMENT_KEY = "general.alignment";

    private static final GgufMetadata EMPTY = new GgufMetadata(new LinkedHashMap<>(), Map.of());

    private final Map<String, GgufValue> values;
    private final Map<String, Long> offsets;

    private GgufMetadata(LinkedHashMap<String, GgufValue> values, Map<String, Long> offsets) {
        this.values = Collections.unmodifiableMap(values);
        this.offsets = offsets;
    }

    /** Metadata parsed from a file: {@code offsets} holds each key's file offset. */
    static GgufMetadata parsed(LinkedHashMap<String, GgufValue> values, HashMap<String, Long> offsets) {
        return new GgufMetadata(values, Collections.unmodifiableMap(offsets));
    }

    /** No keys. */
    public static GgufMetadata empty() { return EMPTY; }

    /** A builder starting empty. */
    public static Builder builder() { return new Builder(); }

    /** A builder holding a copy of these entries, in order. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        return b;
    }

    /** Number of keys. */
    public int size() { return values.size(); }

    /** The keys, in order. */
    public Set<String> keys() { return values.keySet(); }

    /** An unmodifiable ordered view of all entries. */
    public Map<String, GgufValue> asMap() { return values; }

    /** True when the key is present. */
    public boolean contains(String key) { return values.containsKey(key); }

    /** The value of a key, if present. */
    public Optional<GgufValue> find(String key) { return Optional.ofNullable(values.get(key)); }

    /** File offset of the key's entry for a parsed file, else {@code -1}. */
    public long keyOffset(String key) {
        Long off = offsets.get(key);
        return off == null ? -1 : off;
    }

    /** The value of a key; {@link GgufFormatException} when absent. */
    public GgufValue get(String key) throws GgufFormatException {
        GgufValue v = values.get(key);
        if (v == null) throw new GgufFormatException("required key '" + key + "' is missing");
        return v;
    }

    private GgufFormatException wrongType(String key, String expected, GgufValue v) {
        String found = v instanceof GgufValue.Array a
                ? "array of " + a.elementType().shortName()
                : v.type().shortName();
        return new GgufFormatException(keyOffset(key), "key '" + key + "' has type " + found + ", expected " + expected);
    }

    // ---- strings ----

    /** A STRING value decoded as UTF-8. */
    public String getString(String key) throws GgufFormatException {
        return string(key, get(key));
    }

    /** A STRING value, or empty when absent. */
    public Optional<String> findString(String key) throws GgufFormatException {
        GgufValue v = values.get(key);
        return v == null ? Optional.empty() : Optional.of(string(key, v));
    }

    /** A STRING value, or {@code dflt} when absent. */
    public String getString(String key, String dflt) throws GgufFormatException {
        return findString(key).orElse(dflt);
    }

    private String string(String key, GgufValue v) throws GgufFormatException {
        if (v instanceof GgufValue.Str s) return s.text();
        throw wrongType(key, "string", v);
    }

    // ---- integers ----

    /** A UINT32 value (exact type, as llama.cpp requires for counts), 0 … 2³²−1. */
    public long getU32(String key) throws GgufFormatException {
        GgufValue v = get(key);
        if (v instanceof GgufValue.UInt32(long value)) return value;
        throw wrongType(key, "u32", v);
    }

    /** Any integer value (u8 … i64) that fits in a Java {@code int}. */
    public int getInt(String key) throws GgufFormatException {
        return toInt(key, get(key));
    }

    /** Any integer value that fits in an {@code int}, or {@code dflt} when absent. */
    public int getInt(String key, int dflt) throws GgufFormatException {
        OptionalInt v = findInt(key);
        return v.isPresent() ? v.getAsInt() : dflt;
    }

    /** Any integer value that fits in an {@code int}, or empty when absent. */
    public OptionalInt findInt(String key) throws GgufFormatException {
        GgufValue v = values.get(key);
        return v == null ? OptionalInt.empty() : OptionalInt.of(toInt(key, v));
    }

    private int toInt(String key, GgufValue v) throws GgufFormatException {
        long l = toLong(key, v);
        if (l != (int) l) throw new GgufFormatException(keyOffset(key), "key '" + key + "' value " + l + " does not fit in int32");
        return (int) l;
    }

    /** Any integer value that fits in a Java {@code long} (a UINT64 ≥ 2⁶³ is rejected). */
    public long getLong(String key) throws GgufFormatException {
        return toLong(key, get(key));
    }

    private long toLong(String key, GgufValue v) throws GgufFormatException {
        return switch (v) {
            case GgufValue.UInt8(int x) -> x;
            case GgufValue.Int8(byte x) -> x;
            case GgufValue.UInt16(int x) -> x;
            case GgufValue.Int16(short x) -> x;
            case GgufValue.UInt32(long x) -> x;
            case GgufValue.Int32(int x) -> x;
            case GgufValue.Int64(long x) -> x;
            case GgufValue.UInt64(long bits) -> {
                if (bits < 0) {
                    throw new GgufFormatException(keyOffset(key), "key '" + key + "' value "
                            + Long.toUnsignedString(bits) + " does not fit in int64");
                }
                yield bits;
            }
            default -> throw wrongType(key, "integer", v);
        };
    }

    // ---- floats and bools ----

    /** A FLOAT32 value (exact type). */
    public float getFloat(String key) throws GgufFormatException {
        return toFloat(key, get(key));
    }

    /** A FLOAT32 value, or {@code dflt} when absent. */
    public float getFloat(String key, float dflt) throws GgufFormatException {
        GgufValue v = values.get(key);
        return v == null ? dflt : toFloat(key, v);
    }

    private float toFloat(String key, GgufValue v) throws GgufFormatException {
        if (v instanceof GgufValue.Float32(float value)) return value;
        throw wrongType(key, "f32", v);
    }

    /** A BOOL value. */
    public boolean getBool(String key) throws GgufFormatException {
        return toBool(key, get(key));
    }

    /** A BOOL value, or {@code dflt} when absent. */
    public boolean getBool(String key, boolean dflt) throws GgufFormatException {
        GgufValue v = values.get(key);
        return v == null ? dflt : toBool(key, v);
    }

    private boolean toBool(String key, GgufValue v) throws GgufFormatException {
        if (v instanceof GgufValue.Bool(boolean value)) return value;
        throw wrongType(key, "bool", v);
    }

    // ---- arrays ----

    /** An array of strings, decoded as UTF-8 lazily (a list view over the compact storage). */
    public List<String> getStringArray(String key) throws GgufFormatException {
        GgufValue v = get(key);
        if (v instanceof GgufValue.StringArray a) return a.asList();
        throw wrongType(key, "array of string", v);
    }

    /** An array of any integer type up to 32 bits (u8, i8, u16, i16, u32, i32) whose values fit in int. */
    public int[] getIntArray(String key) throws GgufFormatException {
        GgufValue v = get(key);
        if (v instanceof GgufValue.NumericArray a && a.elementType().isInteger() && a.elementType().fixedSize() <= 4) {
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                long x = a.getLong(i);
                if (x != (int) x) {
                    throw new GgufFormatException(keyOffset(key), "key '" + key + "' element " + i + " = " + x
                            + " does not fit in int32");
                }
                out[i] = (int) x;
            }
            return out;
        }
        throw wrongType(key, "array of integers", v);
    }

    /** An array of FLOAT32. */
    public float[] getFloatArray(String key) throws GgufFormatException {
        GgufValue v = get(key);
        if (v instanceof GgufValue.NumericArray a && a.elementType() == GgufValueType.FLOAT32) return a.toFloatArray();
        throw wrongType(key, "array of f32", v);
    }

    @Override public boolean equals(Object o) {
        // Order matters: two metadata with the same entries in another order write different files.
        return o instanceof GgufMetadata m && List.copyOf(values.entrySet()).equals(List.copyOf(m.values.entrySet()));
    }

    @Override public int hashCode() { return values.hashCode(); }

    @Override public String toString() { return "GgufMetadata" + values.keySet(); }

    /** Builds metadata in insertion order. {@link #put} on an existing key replaces the value in place. */
    public static final class Builder {
        private final LinkedHashMap<String, GgufValue> values = new LinkedHashMap<>();

        private Builder() {}

        /** Sets a key (kept at its position when already present, else appended). */
        public Builder put(String key, GgufValue value) {
            Objects.requireNonNull(value, "value");
            if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must be non-empty");
            values.put(key, value);
            return this;
        }

        /** Sets a STRING value. */
        public Builder put(String key, String value) { return put(key, GgufValue.of(value)); }

        /** Removes a key (no-op when absent). */
        public Builder remove(String key) {
            values.remove(key);
            return this;
        }

        /** Removes a key, then appends it with a new value at the end (what llama-quantize does). */
        public Builder putLast(String key, GgufValue value) {
            values.remove(key);
            return put(key, value);
        }

        /** Appends or replaces every entry of {@code other}, in its order. */
        public Builder putAll(GgufMetadata other) {
            other.values.forEach(this::put);
            return this;
        }

        /** True when the key is present. */
        public boolean contains(String key) { return values.containsKey(key); }

        /** The immutable metadata. */
        public GgufMetadata build() {
            return new GgufMetadata(new LinkedHashMap<>(values), Map.of());
        }
    }
}
