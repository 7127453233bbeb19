package io.mbllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One hand-built file per reader rule of gguf.md §1: each must fail with a typed, located reason. */
class GgufReaderRulesTest {
    @TempDir Path tmp;

    private static GgufFormatException rejects(byte[] image, String reasonPart) {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> GgufFile.parse(MemorySegment.ofArray(image)));
        assertTrue(e.getMessage().contains(reasonPart), "message '" + e.getMessage() + "' should contain '" + reasonPart + "'");
        assertTrue(e.getMessage().startsWith("malformed GGUF at offset 0x"), e.getMessage());
        return e;
    }

    private static GgufFile accepts(byte[] image) throws GgufFormatException {
        return GgufFile.parse(MemorySegment.ofArray(image));
    }

    /** A valid one-tensor file: kv "a"=1, tensor "t" f32 [8] at offset 0. */
    private static RawGguf oneTensorHeader() {
        return RawGguf.header(1, 1).kvU32("a", 1);
    }

    @Test
    void minimalFilesAreAccepted() throws IOException {
        GgufFile empty = accepts(RawGguf.header(0, 0).toByteArray());
        assertEquals(0, empty.tensors().size());
        assertEquals(24, empty.tensorInfoEnd());
        assertEquals(32, empty.dataOffset());
        byte[] one = oneTensorHeader().tensor("t", GgmlType.F32, 0, 8).pad(32).zeros(32).toByteArray();
        GgufFile f = accepts(one);
        assertEquals(1, f.metadata().getU32("a"));
        assertArrayEquals(new long[] {8}, f.tensor("t").ne());
        // version 2 has the same layout
        byte[] v2 = RawGguf.header(0, 0).toByteArray();
        v2[4] = 2;
        assertEquals(2, accepts(v2).version());
    }

    @Test
    void magicAndVersion() {
        assertEquals(0, rejects("GGU".getBytes(), "too small").offset());
        byte[] bad = RawGguf.header(0, 0).toByteArray();
        bad[3] = 'X';
        assertEquals(0, rejects(bad, "bad magic 47 47 55 58").offset());
        for (int v : new int[] {1, 4, 0x7FFF_FFFF}) {
            byte[] b = new RawGguf().bytes("GGUF".getBytes()).u32(v).u64(0).u64(0).toByteArray();
            assertEquals(4, rejects(b, v == 1 ? "version 1 is not supported" : "unsupported GGUF version").offset());
        }
        byte[] bigEndian = new RawGguf().bytes("GGUF".getBytes()).u32(0x0300_0000).u64(0).u64(0).toByteArray();
        rejects(bigEndian, "big-endian");
        rejects(new RawGguf().bytes("GGUF".getBytes()).u32(3).u64(0).toByteArray(), "truncated: kv count");
    }

    @Test
    void hugeCountsAreRejectedBeforeAllocating() {
        assertEquals(8, rejects(RawGguf.header(1L << 60, 0).toByteArray(), "tensor count 1152921504606846976").offset());
        assertEquals(8, rejects(RawGguf.header(-1L, 0).toByteArray(), "tensor count 18446744073709551615").offset());
        assertEquals(16, rejects(RawGguf.header(0, 1L << 60).toByteArray(), "kv count").offset());
        byte[] hugeKey = RawGguf.header(0, 1).u64(1L << 60).zeros(16).toByteArray();
        assertEquals(24, rejects(hugeKey, "length 1152921504606846976 extends past end of file").offset());
        byte[] hugeString = RawGguf.header(0, 1).str("k").u32(8).u64(-2L).toByteArray();
        rejects(hugeString, "length 18446744073709551614 extends past end of file");
        byte[] hugeArray = RawGguf.header(0, 1).str("k").u32(9).u32(4).u64(1L << 61).zeros(64).toByteArray();
        rejects(hugeArray, "array of 2305843009213693952 u32 cannot fit");
        byte[] hugeStrArray = RawGguf.header(0, 1).str("k").u32(9).u32(8).u64(2).u64(1).u8('a').u64(1L << 40).toByteArray();
        rejects(hugeStrArray, "string 1 length 1099511627776 extends past end of file");
    }

    @Test
    void keys() throws IOException {
        rejects(RawGguf.header(0, 1).str("").u32(4).u32(1).toByteArray(), "empty key");
        GgufFormatException dup = rejects(RawGguf.header(0, 2).kvU32("a", 1).kvU32("a", 2).toByteArray(), "duplicate key 'a'");
        assertEquals(24 + 8 + 1 + 4 + 4, dup.offset());
        rejects(RawGguf.header(0, 1).u64(2).u8(0xC3).u8(0x28).u32(4).u32(1).toByteArray(), "not valid UTF-8");
        rejects(RawGguf.header(0, 1).str("k").u32(13).u32(1).toByteArray(), "unknown value type 13");
        rejects(RawGguf.header(0, 1).str("k").u32(9).u32(77).u64(0).toByteArray(), "unknown value type 77");
        // a non-UTF-8 string *value* is fine and keeps its bytes
        GgufFile f = accepts(RawGguf.header(0, 1).str("k").u32(8).u64(2).u8(0xFF).u8(0xFE).toByteArray());
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFE}, ((GgufValue.Str) f.metadata().get("k")).bytes());
    }

    @Test
    void nestedArraysAreReadUpToADepthLimit() throws IOException {
        RawGguf ok = RawGguf.header(0, 1).str("k").u32(9).u32(9).u64(2)
                .u32(5).u64(1).u32(-7)
                .u32(9).u64(1).u32(8).u64(1).str("x");
        GgufValue.NestedArray n = (GgufValue.NestedArray) accepts(ok.toByteArray()).metadata().get("k");
        assertEquals(2, n.size());
        assertEquals(-7, ((GgufValue.NumericArray) n.elements().get(0)).getLong(0));
        GgufValue.NestedArray inner = (GgufValue.NestedArray) n.elements().get(1);
        assertEquals("x", ((GgufValue.StringArray) inner.elements().get(0)).get(0));

        RawGguf deep = RawGguf.header(0, 1).str("k").u32(9);
        for (int i = 0; i < 10_000; i++) deep.u32(9).u64(1);
        rejects(deep.u32(4).u64(0).toByteArray(), "nested deeper than 16");
    }

    @Test
    void alignmentKey() throws IOException {
        byte[] wrongType = RawGguf.header(0, 1).str("general.alignment").u32(5).u32(64).toByteArray();
        assertEquals(24, rejects(wrongType, "general.alignment has type i32, expected u32").offset());
        rejects(RawGguf.header(0, 1).kvU32("general.alignment", 0).toByteArray(), "not a power of two");
        rejects(RawGguf.header(0, 1).kvU32("general.alignment", 48).toByteArray(), "not a power of two");
        GgufFile f = accepts(RawGguf.header(1, 1).kvU32("general.alignment", 64).tensor("t", GgmlType.F32, 0, 4)
                .pad(64).zeros(64).toByteArray());
        assertEquals(64, f.alignment());
        assertEquals(0, f.dataOffset() % 64);
    }

    @Test
    void tensorInfoRules() {
        String n64 = "x".repeat(64);
        rejects(oneTensorHeader().tensor(n64, GgmlType.F32, 0, 8).pad(32).zeros(32).toByteArray(), "exceeds 63 bytes");
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 0, 1, 1, 1, 1, 1).pad(32).zeros(32).toByteArray(), "n_dims 5 > 4");
        rejects(oneTensorHeader().str("t").u32(1).u64(8).u32(4).u64(0).pad(32).zeros(32).toByteArray(), "unknown ggml type id 4");
        rejects(oneTensorHeader().str("t").u32(1).u64(8).u32(99).u64(0).pad(32).zeros(32).toByteArray(), "unknown ggml type id 99");
        rejects(oneTensorHeader().tensor("t", GgmlType.Q4_K, 0, 128).pad(32).zeros(256).toByteArray(),
                "ne[0] = 128 is not a multiple of the q4_K block size 256");
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 0, -1L).pad(32).toByteArray(), "is negative as int64");
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 0, 1L << 32, 1L << 32).pad(32).toByteArray(), "overflows int64");
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 16, 8).pad(32).zeros(32).toByteArray(),
                "offset 16 is not a multiple of the alignment 32");
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 0, 8).pad(32).zeros(31).toByteArray(),
                "tensor 't' data [0, +32) extends past end of file");
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 1L << 62, 8).pad(32).zeros(32).toByteArray(),
                "extends past end of file");
        rejects(RawGguf.header(2, 0).tensor("t", GgmlType.F32, 0, 8).tensor("t", GgmlType.F32, 32, 8).pad(32).zeros(64)
                .toByteArray(), "duplicate tensor name 't'");
        rejects(RawGguf.header(2, 0).tensor("a", GgmlType.F32, 0, 16).tensor("b", GgmlType.F32, 32, 8).pad(32).zeros(96)
                .toByteArray(), "tensor 'b' data at 32 overlaps tensor 'a' [0, +64)");
        // truncated between infos
        byte[] full = RawGguf.header(2, 0).tensor("a", GgmlType.F32, 0, 8).tensor("b", GgmlType.F32, 32, 8).toByteArray();
        rejects(java.util.Arrays.copyOf(full, full.length - 3), "truncated: offset of 'b'");
        // tensors exist but the data section would start past the end
        rejects(oneTensorHeader().tensor("t", GgmlType.F32, 0, 0).toByteArray(), "data section would start at");
    }

    @Test
    void lenientLayoutIsAccepted() throws IOException {
        // reverse order with a gap, no padding after the last tensor, non-zero padding bytes: accepted
        byte[] image = RawGguf.header(2, 0).tensor("a", GgmlType.F32, 96, 8).tensor("b", GgmlType.F32, 0, 4).pad(32)
                .zeros(96).u32(0x3F80_0000).zeros(28).toByteArray();
        GgufFile f = accepts(image);
        assertEquals(1.0f, f.tensorData(f.tensor("a")).get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        // zero-dimensional tensor (one element) as ggml accepts
        GgufFile scalar = accepts(oneTensorHeader().str("s").u32(0).u32(0).u64(0).pad(32).zeros(4).toByteArray());
        assertEquals(1, scalar.tensor("s").elementCount());
        assertEquals(0, scalar.tensor("s").nDims());
    }

    @Test
    void openReportsMalformedFilesAndReleasesTheMapping() throws IOException {
        Path p = tmp.resolve("bad.gguf");
        Files.write(p, RawGguf.header(1L << 60, 0).toByteArray());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertEquals("malformed GGUF at offset 0x8: tensor count 1152921504606846976 cannot fit in the 0 bytes left",
                e.getMessage());
        Files.write(p, new byte[0]);
        assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        Files.delete(p); // the mapping was released (deleting a mapped file works on Linux anyway; on Windows it would not)
        assertThrows(java.nio.file.NoSuchFileException.class, () -> GgufFile.open(p));
    }

    @Test
    void tensorDataIsAZeroCopyReadOnlySlice() throws IOException {
        Path p = tmp.resolve("ok.gguf");
        Files.write(p, oneTensorHeader().tensor("t", GgmlType.F32, 0, 8).pad(32).u32(0x4000_0000).zeros(28).toByteArray());
        MemorySegment data;
        try (GgufFile f = GgufFile.open(p)) {
            data = f.tensorData(f.tensor("t"));
            assertTrue(data.isNative() && data.isMapped() && data.isReadOnly());
            assertEquals(2.0f, data.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            assertThrows(GgufFormatException.class, () -> f.tensor("missing"));
            assertThrows(IllegalArgumentException.class, () -> f.tensorData(TensorInfo.of("t", GgmlType.F32, 16)));
        }
        MemorySegment closed = data;
        assertThrows(IllegalStateException.class, () -> closed.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    }
}
