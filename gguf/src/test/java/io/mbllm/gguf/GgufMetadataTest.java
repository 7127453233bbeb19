package io.mbllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class GgufMetadataTest {
    private final GgufMetadata m = SyntheticGguf.everyValueType(32);

    @Test
    void typedGettersCheckTypes() throws GgufFormatException {
        assertEquals("llama", m.getString("general.architecture"));
        assertEquals(255, m.getInt("t.u8"));
        assertEquals(-128, m.getInt("t.i8"));
        assertEquals(Long.MIN_VALUE, m.getLong("t.i64"));
        GgufFormatException wrong = assertThrows(GgufFormatException.class, () -> m.getU32("t.i32"));
        assertEquals("malformed GGUF: key 't.i32' has type i32, expected u32", wrong.getMessage());
        assertThrows(GgufFormatException.class, () -> m.getInt("t.u32"), "4294967295 does not fit in int");
        assertThrows(GgufFormatException.class, () -> m.getLong("t.u64"));
        assertThrows(GgufFormatException.class, () -> m.getFloat("t.f64"));
        assertThrows(GgufFormatException.class, () -> m.getString("t.arr_str"));
        assertThrows(GgufFormatException.class, () -> m.getStringArray("t.str"));
        assertThrows(GgufFormatException.class, () -> m.getFloatArray("t.arr_i32"));
        assertThrows(GgufFormatException.class, () -> m.getIntArray("t.arr_u32"), "0xFFFFFFFF does not fit");
        assertThrows(GgufFormatException.class, () -> m.getIntArray("t.arr_i64"));
        GgufFormatException missing = assertThrows(GgufFormatException.class, () -> m.getString("nope"));
        assertTrue(missing.getMessage().contains("required key 'nope' is missing"));
    }

    @Test
    void optionalVariants() throws GgufFormatException {
        assertEquals(7, m.getInt("absent", 7));
        assertEquals(2.5f, m.getFloat("absent", 2.5f));
        assertTrue(m.getBool("absent", true));
        assertEquals("d", m.getString("absent", "d"));
        assertTrue(m.findInt("absent").isEmpty());
        assertTrue(m.findString("absent").isEmpty());
        assertEquals(-32768, m.findInt("t.i16").getAsInt());
        assertThrows(GgufFormatException.class, () -> m.getInt("t.str", 1), "present with the wrong type is an error");
        assertThrows(GgufFormatException.class, () -> m.findString("t.u8"));
    }

    @Test
    void builderKeepsOrderAndMovesKeysToTheEnd() {
        GgufMetadata a = GgufMetadata.builder().put("x", "1").put("y", "2").put("z", "3").build();
        GgufMetadata replaced = a.toBuilder().put("x", "9").build();
        assertEquals(List.of("x", "y", "z"), List.copyOf(replaced.keys()));
        GgufMetadata moved = a.toBuilder().putLast("x", GgufValue.of("9")).remove("y").build();
        assertEquals(List.of("z", "x"), List.copyOf(moved.keys()));
        GgufMetadata reordered = GgufMetadata.builder().put("y", "2").put("x", "1").put("z", "3").build();
        assertNotEquals(a, reordered, "order is part of equality");
        assertThrows(IllegalArgumentException.class, () -> GgufMetadata.builder().put("", "v"));
    }

    @Test
    void compactArrays() {
        GgufValue.StringArray s = GgufValue.StringArray.of(List.of("ab", "", "ç"));
        assertEquals(3, s.size());
        assertEquals("ç", s.get(2));
        assertArrayEquals(new byte[] {'a', 'b', (byte) 0xC3, (byte) 0xA7}, s.blob());
        GgufValue.NumericArray u16 = GgufValue.NumericArray.ofIntegers(GgufValueType.UINT16, 65535, 1);
        assertEquals(65535, u16.getLong(0));
        GgufValue.NumericArray i16 = GgufValue.NumericArray.ofIntegers(GgufValueType.INT16, 65535);
        assertEquals(-1, i16.getLong(0));
        GgufValue.NumericArray u64 = GgufValue.NumericArray.ofIntegers(GgufValueType.UINT64, -1L);
        assertEquals(18446744073709551615.0, u64.getDouble(0));
        assertThrows(IllegalArgumentException.class, () -> new GgufValue.NumericArray(GgufValueType.UINT32, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new GgufValue.UInt32(-1));
        assertThrows(IllegalArgumentException.class, () -> new GgufValue.UInt8(256));
    }
}
