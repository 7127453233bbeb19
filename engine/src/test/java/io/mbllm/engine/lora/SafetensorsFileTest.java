package io.mbllm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader and its JSON parser: good files read back, malformed ones are typed errors. */
class SafetensorsFileTest {
    @TempDir
    Path tmp;

    Path file(String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h).put(data);
        Path p = Files.createTempFile(tmp, "t", ".safetensors");
        Files.write(p, bb.array());
        return p;
    }

    @Test
    void readsTensorsOfEachFloatType() throws Exception {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1.5f).putFloat(-2f);             // F32 [2]
        d.putShort((short) 0x3c00).putShort((short) 0xc000); // F16 [1, 2]: 1, -2
        d.putShort((short) 0x3fc0).putShort((short) 0x4040); // BF16 [2]: 1.5, 3
        Path p = file("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]},\"c\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]}}  ", d.array());
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("a", "b", "c"), List.copyOf(f.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertArrayEquals(new float[] {1.5f, -2f}, f.tensor("a").orElseThrow().toFloats());
            assertArrayEquals(new float[] {1f, -2f}, f.tensor("b").orElseThrow().toFloats());
            assertArrayEquals(new float[] {1.5f, 3f}, f.tensor("c").orElseThrow().toFloats());
            assertArrayEquals(new long[] {1, 2}, f.tensor("b").orElseThrow().shape());
        }
    }

    @Test
    void malformedFilesAreTypedErrors() throws Exception {
        byte[] eight = new byte[8];
        List<String> bad = List.of(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}",  // past the data
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",   // size ≠ shape
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", // overlap
                "{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}",    // unknown dtype
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",  // negative
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", // overflow
                "{\"a\":", "[1,2]", "{\"a\":1} x", "[".repeat(200) + "]".repeat(200));
        for (String h : bad) {
            Path p = file(h, eight);
            assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close(), h);
        }
        Path shortFile = Files.write(tmp.resolve("short.safetensors"), new byte[] {1, 2, 3});
        assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(shortFile).close());
        Path hugeHeader = Files.write(tmp.resolve("huge.safetensors"), new byte[] {-1, -1, -1, -1, -1, -1, -1, 127, '{', '}'});
        assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(hugeHeader).close());
        // a dtype that is valid but not convertible is refused at conversion time
        try (SafetensorsFile f = SafetensorsFile.open(file("{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight))) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.tensor("i").orElseThrow().toFloats());
            assertTrue(e.getMessage().contains("I32"), e.getMessage());
        }
    }

    @Test
    void jsonValues() {
        Object v = JsonReader.parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\\u0041\\n\"], \"b\": {}} ");
        assertEquals(Map.of("a", java.util.Arrays.asList(1L, -25.0, true, false, null, "xA\n"), "b", Map.of()), v);
        for (String s : List.of("", "{", "{\"a\" 1}", "[1,]", "01x", "\"\\q\"", "tru", "{\"a\":1,}")) {
            assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(s), s);
        }
    }
}
