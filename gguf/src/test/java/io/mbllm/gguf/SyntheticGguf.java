package io.mbllm.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** Test helper: a small GGUF with every value type, nested arrays, alignment 64 and a few tensor types. */
final class SyntheticGguf {
    private SyntheticGguf() {}

    static GgufMetadata everyValueType(int alignment) {
        return GgufMetadata.builder()
                .put("general.architecture", "llama")
                .put(GgufMetadata.ALIGNMENT_KEY, GgufValue.u32(alignment))
                .put("t.u8", new GgufValue.UInt8(255))
                .put("t.i8", new GgufValue.Int8((byte) -128))
                .put("t.u16", new GgufValue.UInt16(65535))
                .put("t.i16", new GgufValue.Int16((short) -32768))
                .put("t.u32", new GgufValue.UInt32(0xFFFF_FFFFL))
                .put("t.i32", new GgufValue.Int32(Integer.MIN_VALUE))
                .put("t.f32", new GgufValue.Float32(1e-5f))
                .put("t.bool", new GgufValue.Bool(true))
                .put("t.bool_false", new GgufValue.Bool(false))
                .put("t.str", "héllo ▁wörld")
                .put("t.str_empty", "")
                .put("t.str_invalid_utf8", new GgufValue.Str(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x41}))
                .put("t.u64", new GgufValue.UInt64(-1L))
                .put("t.i64", new GgufValue.Int64(Long.MIN_VALUE))
                .put("t.f64", new GgufValue.Float64(Math.PI))
                .put("t.arr_u8", GgufValue.NumericArray.ofIntegers(GgufValueType.UINT8, 0, 1, 255))
                .put("t.arr_i8", GgufValue.NumericArray.ofIntegers(GgufValueType.INT8, -1, 127))
                .put("t.arr_u16", GgufValue.NumericArray.ofIntegers(GgufValueType.UINT16, 65535, 7))
                .put("t.arr_i16", GgufValue.NumericArray.ofIntegers(GgufValueType.INT16, -2, 3))
                .put("t.arr_u32", GgufValue.NumericArray.ofUInt32(1, 2, 3, -1))
                .put("t.arr_i32", GgufValue.NumericArray.ofInt32(-5, 0, 5))
                .put("t.arr_f32", GgufValue.NumericArray.ofFloat32(0.5f, -1.25f, Float.NaN))
                .put("t.arr_bool", GgufValue.NumericArray.ofIntegers(GgufValueType.BOOL, 0, 1, 1))
                .put("t.arr_u64", GgufValue.NumericArray.ofIntegers(GgufValueType.UINT64, -1L, 42))
                .put("t.arr_i64", GgufValue.NumericArray.ofIntegers(GgufValueType.INT64, Long.MIN_VALUE))
                .put("t.arr_f64", GgufValue.NumericArray.ofFloat64(1.0, -0.0))
                .put("t.arr_str", GgufValue.StringArray.of(List.of("a", "", "▁the", "x y")))
                .put("t.arr_empty", GgufValue.NumericArray.ofInt32())
                .put("t.arr_nested", new GgufValue.NestedArray(List.of(
                        GgufValue.NumericArray.ofInt32(1, 2),
                        GgufValue.StringArray.of(List.of("p", "q")),
                        new GgufValue.NestedArray(List.of(GgufValue.NumericArray.ofFloat32(3f))),
                        new GgufValue.NestedArray(List.of()))))
                .build();
    }

    static List<TensorInfo> tensors() {
        return List.of(
                TensorInfo.of("a.f32", GgmlType.F32, 3, 2),
                TensorInfo.of("b.q8_0", GgmlType.Q8_0, 64, 2),
                TensorInfo.of("c.empty", GgmlType.F16, 0, 4),
                TensorInfo.of("d.q4_k", GgmlType.Q4_K, 256),
                TensorInfo.of("e.i8", GgmlType.I8, 5, 1, 1, 1));
    }

    /** Deterministic content for a tensor. */
    static byte[] data(TensorInfo t) {
        byte[] b = new byte[(int) t.byteSize()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 31 + t.name().length() * 7 + 1);
        return b;
    }

    /** The whole synthetic file as bytes (written through {@link GgufWriter} into memory). */
    static byte[] image(int alignment) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GgufWriter w = GgufWriter.builder().metadata(everyValueType(alignment)).addTensors(tensors())
                .open(Channels.newChannel(bos))) {
            for (TensorInfo t : tensors()) w.write(ByteBuffer.wrap(data(t)));
            w.finish();
        }
        return bos.toByteArray();
    }
}
