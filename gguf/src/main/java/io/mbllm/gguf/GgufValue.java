package io.mbllm.gguf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * One GGUF metadata value: a scalar, a string, or an array (arrays may nest).
 *
 * <p>Strings keep their raw bytes, so a value that is not valid UTF-8 still round-trips byte for byte.
 * Arrays are compact: fixed-size element types live in one little-endian {@code byte[]}
 * ({@link NumericArray}), strings in one byte blob plus end offsets ({@link StringArray}).
 */
public sealed interface GgufValue {

    /** The GGUF type of this value. */
    GgufValueType type();

    /** A string value from Java text (encoded as UTF-8). */
    static Str of(String text) { return new Str(text.getBytes(StandardCharsets.UTF_8)); }

    /** A UINT32 value. */
    static UInt32 u32(long value) { return new UInt32(value); }

    /** A FLOAT32 value. */
    static Float32 f32(float value) { return new Float32(value); }

    /** A BOOL value. */
    static Bool bool(boolean value) { return new Bool(value); }

    /** UINT8, 0 … 255. */
    record UInt8(int value) implements GgufValue {
        public UInt8 {
            if (value < 0 || value > 0xFF) throw new IllegalArgumentException("u8 out of range: " + value);
        }
        @Override public GgufValueType type() { return GgufValueType.UINT8; }
    }

    /** INT8. */
    record Int8(byte value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.INT8; }
    }

    /** UINT16, 0 … 65535. */
    record UInt16(int value) implements GgufValue {
        public UInt16 {
            if (value < 0 || value > 0xFFFF) throw new IllegalArgumentException("u16 out of range: " + value);
        }
        @Override public GgufValueType type() { return GgufValueType.UINT16; }
    }

    /** INT16. */
    record Int16(short value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.INT16; }
    }

    /** UINT32, 0 … 2³²−1. */
    record UInt32(long value) implements GgufValue {
        public UInt32 {
            if (value < 0 || value > 0xFFFF_FFFFL) throw new IllegalArgumentException("u32 out of range: " + value);
        }
        @Override public GgufValueType type() { return GgufValueType.UINT32; }
    }

    /** INT32. */
    record Int32(int value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.INT32; }
    }

    /** FLOAT32. */
    record Float32(float value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.FLOAT32; }
    }

    /** BOOL (on read, any non-zero byte is true, as in ggml; written as 0 or 1). */
    record Bool(boolean value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.BOOL; }
    }

    /** UINT64; {@code bits} is the unsigned value (use {@link Long#toUnsignedString}). */
    record UInt64(long bits) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.UINT64; }
        @Override public String toString() { return "UInt64[" + Long.toUnsignedString(bits) + "]"; }
    }

    /** INT64. */
    record Int64(long value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.INT64; }
    }

    /** FLOAT64. */
    record Float64(double value) implements GgufValue {
        @Override public GgufValueType type() { return GgufValueType.FLOAT64; }
    }

    /** STRING: the raw bytes as stored (normally UTF-8, but not required to be). */
    record Str(byte[] bytes) implements GgufValue {
        public Str {
            bytes = bytes.clone();
        }
        @Override public GgufValueType type() { return GgufValueType.STRING; }
        /** A copy of the raw bytes. */
        @Override public byte[] bytes() { return bytes.clone(); }
        /** Number of bytes. */
        public int length() { return bytes.length; }
        /** The bytes decoded as UTF-8 (malformed sequences become U+FFFD). */
        public String text() { return new String(bytes, StandardCharsets.UTF_8); }
        @Override public boolean equals(Object o) { return o instanceof Str s && Arrays.equals(bytes, s.bytes); }
        @Override public int hashCode() { return Arrays.hashCode(bytes); }
        @Override public String toString() { return "Str[" + text() + "]"; }
    }

    /** An ARRAY value: its elements all have {@link #elementType()}. */
    sealed interface Array extends GgufValue {
        /** The type of the elements. */
        GgufValueType elementType();

        /** Number of elements. */
        int size();

        @Override default GgufValueType type() { return GgufValueType.ARRAY; }
    }

    /**
     * An array of a fixed-size type (every type except STRING and ARRAY), kept as its little-endian bytes.
     * Element accessors interpret the bytes by {@link #elementType()}.
     */
    record NumericArray(GgufValueType elementType, byte[] raw) implements Array {
        private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        public NumericArray {
            if (!elementType.isFixedSize()) throw new IllegalArgumentException("not a fixed-size type: " + elementType);
            if (raw.length % elementType.fixedSize() != 0) {
                throw new IllegalArgumentException(raw.length + " bytes is not a whole number of " + elementType);
            }
            raw = raw.clone();
        }

        private static NumericArray wrap(GgufValueType elementType, byte[] raw) {
            return new NumericArray(elementType, raw);
        }

        @Override public byte[] raw() { return raw.clone(); }

        @Override public int size() { return raw.length / elementType.fixedSize(); }

        /** Integer (or BOOL as 0/1) element {@code i}; unsigned types are zero-extended; UINT64 gives its bits. */
        public long getLong(int i) {
            return switch (elementType) {
                case UINT8 -> raw[i] & 0xFFL;
                case INT8 -> raw[i];
                case BOOL -> raw[i] != 0 ? 1 : 0;
                case UINT16 -> (short) I16.get(raw, i * 2) & 0xFFFFL;
                case INT16 -> (short) I16.get(raw, i * 2);
                case UINT32 -> (int) I32.get(raw, i * 4) & 0xFFFF_FFFFL;
                case INT32 -> (int) I32.get(raw, i * 4);
                case UINT64, INT64 -> (long) I64.get(raw, i * 8);
                case FLOAT32, FLOAT64 -> throw new IllegalStateException("float array, use getDouble");
                default -> throw new AssertionError(elementType);
            };
        }

        /** Element {@code i} as a double (integers converted; UINT64 as unsigned). */
        public double getDouble(int i) {
            return switch (elementType) {
                case FLOAT32 -> Float.intBitsToFloat((int) I32.get(raw, i * 4));
                case FLOAT64 -> Double.longBitsToDouble((long) I64.get(raw, i * 8));
                case UINT64 -> {
                    long v = getLong(i);
                    yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
                }
                default -> getLong(i);
            };
        }

        /** All elements as floats: FLOAT32 only. */
        public float[] toFloatArray() {
            if (elementType != GgufValueType.FLOAT32) throw new IllegalStateException("not a f32 array: " + elementType);
            float[] out = new float[size()];
            for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((int) I32.get(raw, i * 4));
            return out;
        }

        /** Builds an array of {@code type} from integer values (truncated to the type's width). */
        public static NumericArray ofIntegers(GgufValueType type, long... values) {
            int size = type.fixedSize();
            if (!type.isInteger() && type != GgufValueType.BOOL) throw new IllegalArgumentException("not an integer type: " + type);
            byte[] raw = new byte[values.length * size];
            for (int i = 0; i < values.length; i++) {
                long v = values[i];
                for (int b = 0; b < size; b++) raw[i * size + b] = (byte) (v >>> (8 * b));
            }
            return wrap(type, raw);
        }

        /** An INT32 array. */
        public static NumericArray ofInt32(int... values) {
            byte[] raw = new byte[values.length * 4];
            for (int i = 0; i < values.length; i++) I32.set(raw, i * 4, values[i]);
            return wrap(GgufValueType.INT32, raw);
        }

        /** A UINT32 array from the low 32 bits of each int. */
        public static NumericArray ofUInt32(int... values) {
            byte[] raw = new byte[values.length * 4];
            for (int i = 0; i < values.length; i++) I32.set(raw, i * 4, values[i]);
            return wrap(GgufValueType.UINT32, raw);
        }

        /** A FLOAT32 array. */
        public static NumericArray ofFloat32(float... values) {
            byte[] raw = new byte[values.length * 4];
            for (int i = 0; i < values.length; i++) I32.set(raw, i * 4, Float.floatToRawIntBits(values[i]));
            return wrap(GgufValueType.FLOAT32, raw);
        }

        /** A FLOAT64 array. */
        public static NumericArray ofFloat64(double... values) {
            byte[] raw = new byte[values.length * 8];
            for (int i = 0; i < values.length; i++) I64.set(raw, i * 8, Double.doubleToRawLongBits(values[i]));
            return wrap(GgufValueType.FLOAT64, raw);
        }

        @Override public boolean equals(Object o) {
            return o instanceof NumericArray a && a.elementType == elementType && Arrays.equals(raw, a.raw);
        }
        @Override public int hashCode() { return elementType.hashCode() * 31 + Arrays.hashCode(raw); }
        @Override public String toString() { return "NumericArray[" + elementType + " × " + size() + "]"; }
    }

    /**
     * An array of strings kept as one byte blob: element {@code i} is {@code blob[ends[i-1] .. ends[i])}
     * (with {@code ends[-1] = 0}).
     */
    record StringArray(byte[] blob, int[] ends) implements Array {
        public StringArray {
            int prev = 0;
            for (int e : ends) {
                if (e < prev) throw new IllegalArgumentException("string ends must not decrease");
                prev = e;
            }
            if (prev != blob.length) throw new IllegalArgumentException("last end " + prev + " != blob length " + blob.length);
            blob = blob.clone();
            ends = ends.clone();
        }

        private static StringArray wrap(byte[] blob, int[] ends) {
            return new StringArray(blob, ends);
        }

        /** From Java strings (UTF-8). */
        public static StringArray of(List<String> values) {
            return ofBytes(values.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
        }

        /** From raw byte strings. */
        public static StringArray ofBytes(List<byte[]> values) {
            long total = 0;
            for (byte[] v : values) total += v.length;
            if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("string array too large: " + total + " bytes");
            byte[] blob = new byte[(int) total];
            int[] ends = new int[values.size()];
            int pos = 0;
            for (int i = 0; i < ends.length; i++) {
                byte[] v = values.get(i);
                System.arraycopy(v, 0, blob, pos, v.length);
                pos += v.length;
                ends[i] = pos;
            }
            return wrap(blob, ends);
        }

        @Override public GgufValueType elementType() { return GgufValueType.STRING; }
        @Override public int size() { return ends.length; }
        @Override public byte[] blob() { return blob.clone(); }
        @Override public int[] ends() { return ends.clone(); }

        /** Start offset of element {@code i} in the blob. */
        public int start(int i) { return i == 0 ? 0 : ends[i - 1]; }

        /** Byte length of element {@code i}. */
        public int length(int i) { return ends[i] - start(i); }

        /** Raw bytes of element {@code i}. */
        public byte[] bytes(int i) { return Arrays.copyOfRange(blob, start(i), ends[i]); }

        /** Element {@code i} decoded as UTF-8. */
        public String get(int i) { return new String(blob, start(i), length(i), StandardCharsets.UTF_8); }

        /** A lazily decoding list view of the elements. */
        public List<String> asList() {
            return new AbstractList<>() {
                @Override public String get(int index) { return StringArray.this.get(index); }
                @Override public int size() { return ends.length; }
            };
        }

        @Override public boolean equals(Object o) {
            return o instanceof StringArray a && Arrays.equals(ends, a.ends) && Arrays.equals(blob, a.blob);
        }
        @Override public int hashCode() { return Arrays.hashCode(ends) * 31 + Arrays.hashCode(blob); }
        @Override public String toString() { return "StringArray[string × " + size() + "]"; }
    }

    /**
     * An array of arrays. The GGUF spec allows it; ggml rejects such files, no real file uses them, but the
     * reader accepts them (each inner array has its own element type).
     */
    record NestedArray(List<Array> elements) implements Array {
        public NestedArray {
            elements = List.copyOf(elements);
        }
        @Override public GgufValueType elementType() { return GgufValueType.ARRAY; }
        @Override public int size() { return elements.size(); }
    }
}
