package io.mbllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir Path tmp;

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
        }
    }

    private Path writeSynthetic(String name, int alignment) throws IOException {
        Path p = tmp.resolve(name);
        try (GgufWriter w = GgufWriter.builder().metadata(SyntheticGguf.everyValueType(alignment))
                .addTensors(SyntheticGguf.tensors()).open(p)) {
            for (TensorInfo t : SyntheticGguf.tensors()) w.write(SyntheticGguf.data(t));
            w.finish();
        }
        return p;
    }

    @Test
    void everyValueTypeAndNestedArraysRoundTripAtAlignment64() throws IOException {
        Path p = writeSynthetic("synthetic.gguf", 64);
        assertEquals(List.of(), leftovers());
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(SyntheticGguf.everyValueType(64), f.metadata());
            assertEquals(List.copyOf(SyntheticGguf.everyValueType(64).keys()), List.copyOf(f.metadata().keys()));
            GgufMetadata m = f.metadata();
            assertEquals(0xFFFF_FFFFL, m.getU32("t.u32"));
            assertEquals(Integer.MIN_VALUE, m.getInt("t.i32"));
            assertEquals(1e-5f, m.getFloat("t.f32"));
            assertTrue(m.getBool("t.bool"));
            assertEquals("héllo ▁wörld", m.getString("t.str"));
            assertArrayEquals(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x41},
                    ((GgufValue.Str) m.get("t.str_invalid_utf8")).bytes());
            assertEquals(-1L, ((GgufValue.UInt64) m.get("t.u64")).bits());
            assertEquals(Math.PI, ((GgufValue.Float64) m.get("t.f64")).value());
            assertArrayEquals(new int[] {0, 1, 255}, m.getIntArray("t.arr_u8"));
            assertArrayEquals(new int[] {-5, 0, 5}, m.getIntArray("t.arr_i32"));
            assertEquals(List.of("a", "", "▁the", "x y"), m.getStringArray("t.arr_str"));
            float[] fl = m.getFloatArray("t.arr_f32");
            assertEquals(-1.25f, fl[1]);
            assertTrue(Float.isNaN(fl[2]));
            GgufValue.NestedArray nested = (GgufValue.NestedArray) m.get("t.arr_nested");
            assertEquals(4, nested.size());
            assertEquals(0, ((GgufValue.NestedArray) nested.elements().get(3)).size());

            long expectedOffset = 0;
            for (int i = 0; i < SyntheticGguf.tensors().size(); i++) {
                TensorInfo want = SyntheticGguf.tensors().get(i);
                TensorInfo got = f.tensors().get(i);
                assertEquals(want.withOffset(expectedOffset), got);
                assertArrayEquals(SyntheticGguf.data(want), f.tensorData(got).toArray(ValueLayout.JAVA_BYTE));
                expectedOffset += (want.byteSize() + 63) / 64 * 64;
            }
            assertEquals(4, f.tensor("e.i8").nDims(), "n_dims as given ([5,1,1,1]) is written");
            assertEquals(f.dataOffset() + expectedOffset, f.size(), "padding after the last tensor");
            // padding bytes are zero
            byte[] all = f.segment().toArray(ValueLayout.JAVA_BYTE);
            for (long i = f.tensorInfoEnd(); i < f.dataOffset(); i++) assertEquals(0, all[(int) i]);
            for (TensorInfo t : f.tensors()) {
                long end = f.dataOffset() + t.offset() + t.byteSize();
                for (long i = end; i < (end + 63) / 64 * 64; i++) assertEquals(0, all[(int) i], t.name());
            }
            // the rewriter reproduces it
            Path copy = tmp.resolve("copy.gguf");
            GgufRewriter.copy(f, copy);
            assertEquals(-1L, Files.mismatch(p, copy));
        }
    }

    @Test
    void zeroTensorFilesWithAndWithoutTrailingPadding() throws IOException {
        GgufMetadata meta = GgufMetadata.builder().put("general.architecture", "llama").put("k", GgufValue.u32(7)).build();
        Path padded = tmp.resolve("padded.gguf");
        Path bare = tmp.resolve("bare.gguf");
        for (Path p : List.of(padded, bare)) {
            try (GgufWriter w = GgufWriter.builder().metadata(meta).padWhenEmpty(p == padded).open(p)) {
                assertEquals(null, w.currentTensor());
                w.finish();
            }
        }
        long infoEnd = 24 + (8 + 20 + 4 + 8 + 5) + (8 + 1 + 4 + 4);
        assertEquals(infoEnd, Files.size(bare));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(bare)),
                "written files are readable like any other, not 0600 like a temp file");
        assertEquals((infoEnd + 31) / 32 * 32, Files.size(padded));
        for (Path p : List.of(padded, bare)) {
            try (GgufFile f = GgufFile.open(p)) {
                assertEquals(meta, f.metadata());
                assertEquals(p == padded, f.paddedAfterInfos());
                Path copy = tmp.resolve("copy-" + p.getFileName());
                GgufRewriter.copy(f, copy);
                assertEquals(-1L, Files.mismatch(p, copy), "copy of " + p);
            }
        }
    }

    @Test
    void chunkedWritesFromEverySourceKindGiveTheSameBytes() throws IOException {
        Path whole = writeSynthetic("whole.gguf", 32);
        Path chunked = tmp.resolve("chunked.gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(SyntheticGguf.everyValueType(32))
                .addTensors(SyntheticGguf.tensors()).open(chunked)) {
            int k = 0;
            for (TensorInfo t : SyntheticGguf.tensors()) {
                if (t.byteSize() > 0) assertEquals(t.name(), w.currentTensor().name()); // empty ones are skipped
                byte[] d = SyntheticGguf.data(t);
                int pos = 0;
                while (pos < d.length) {
                    int n = Math.min(d.length - pos, 1 + (k * 7) % 13);
                    switch (k++ % 3) {
                        case 0 -> w.write(d, pos, n);
                        case 1 -> w.write(ByteBuffer.wrap(d, pos, n));
                        default -> w.write(MemorySegment.ofArray(d).asSlice(pos, n));
                    }
                    pos += n;
                }
            }
            assertEquals(null, w.currentTensor());
            w.finish();
        }
        assertEquals(-1L, Files.mismatch(whole, chunked));
    }

    @Test
    void largeTensorsStreamWithFlatMemory() throws IOException {
        // 24 MiB through a 1 MiB buffer: chunks bigger and smaller than the buffer
        long n = 6L << 20;
        Path p = tmp.resolve("big.gguf");
        byte[] chunk = new byte[3 << 20];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i ^ (i >>> 8));
        try (GgufWriter w = GgufWriter.builder().addTensor("big", GgmlType.F32, n).addTensor("small", GgmlType.F16, 2)
                .open(p)) {
            for (int i = 0; i < 8; i++) w.write(chunk);
            w.write(new byte[] {1, 2, 3, 4});
            w.finish();
        }
        try (GgufFile f = GgufFile.open(p)) {
            MemorySegment big = f.tensorData(f.tensor("big"));
            assertEquals(n * 4, big.byteSize());
            assertEquals(chunk[12345], big.get(ValueLayout.JAVA_BYTE, 7L * chunk.length + 12345));
            assertArrayEquals(new byte[] {1, 2, 3, 4}, f.tensorData(f.tensor("small")).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void abandonedOrFailedWritesLeaveNothingBehind() throws IOException {
        Path p = tmp.resolve("model.gguf");
        // closed without finish(): nothing at the target, no temporary file
        try (GgufWriter w = GgufWriter.builder().addTensor("t", GgmlType.F32, 1024).open(p)) {
            w.write(new byte[100]);
            assertEquals(1, leftovers().size(), "writes go to a temporary file beside the target");
        }
        assertFalse(Files.exists(p));
        assertEquals(List.of(), leftovers());

        // an exception in the caller's loop
        assertThrows(IllegalStateException.class, () -> {
            try (GgufWriter w = GgufWriter.builder().addTensor("t", GgmlType.F32, 4).open(p)) {
                w.write(new byte[8]);
                throw new IllegalStateException("quantizer failed");
            }
        });
        assertFalse(Files.exists(p));
        assertEquals(List.of(), leftovers());

        // an existing target survives an abandoned overwrite untouched
        Files.write(p, new byte[] {42});
        try (GgufWriter w = GgufWriter.builder().addTensor("t", GgmlType.F32, 4).open(p)) {
            w.write(new byte[4]);
        }
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(p));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void interruptedThreadLeavesNothingBehind() throws Exception {
        Path p = tmp.resolve("interrupted.gguf");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (GgufWriter w = GgufWriter.builder().addTensor("t", GgmlType.F32, 1 << 20).open(p)) {
                Thread.currentThread().interrupt();
                w.write(new byte[2 << 20]); // larger than the buffer: goes to the channel, which sees the interrupt
                w.write(new byte[2 << 20]);
                w.finish();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join();
        assertTrue(thrown.get() instanceof ClosedByInterruptException, String.valueOf(thrown.get()));
        assertFalse(Files.exists(p));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void misuseIsRejected() throws IOException {
        Path p = tmp.resolve("x.gguf");
        try (GgufWriter w = GgufWriter.builder().addTensor("t", GgmlType.F32, 4).open(p)) {
            IllegalStateException tooMuch = assertThrows(IllegalStateException.class, () -> w.write(new byte[17]));
            assertTrue(tooMuch.getMessage().contains("runs past the end of tensor 't' (16 bytes left)"), tooMuch.getMessage());
        }
        try (GgufWriter w = GgufWriter.builder().addTensor("t", GgmlType.F32, 4).open(p)) {
            w.write(new byte[15]);
            IllegalStateException missing = assertThrows(IllegalStateException.class, w::finish);
            assertTrue(missing.getMessage().contains("tensor 't' got 15 of 16 bytes"), missing.getMessage());
        }
        assertFalse(Files.exists(p));
        GgufWriter.Builder b = GgufWriter.builder();
        assertThrows(IllegalArgumentException.class, () -> b.addTensor("x".repeat(64), GgmlType.F32, 4));
        b.addTensor("dup", GgmlType.F32, 4);
        assertThrows(IllegalArgumentException.class, () -> b.addTensor("dup", GgmlType.F32, 4));
        assertThrows(IllegalArgumentException.class, () -> b.addTensor("q", GgmlType.Q4_0, 16));
        assertThrows(IllegalArgumentException.class, () -> b.addTensor("five", GgmlType.F32, 1, 1, 1, 1, 1));
        GgufMetadata badAlign = GgufMetadata.builder().put(GgufMetadata.ALIGNMENT_KEY, new GgufValue.Int32(64)).build();
        assertThrows(IllegalArgumentException.class, () -> GgufWriter.builder().metadata(badAlign).open(p));
        GgufMetadata notPow2 = GgufMetadata.builder().put(GgufMetadata.ALIGNMENT_KEY, GgufValue.u32(48)).build();
        assertThrows(IllegalArgumentException.class, () -> GgufWriter.builder().metadata(notPow2).open(p));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void ggmlNDimsDropsTrailingOnes() throws IOException {
        assertEquals(1, TensorInfo.of("n", GgmlType.F32, 4096, 1).ggmlNDims());
        assertEquals(1, TensorInfo.of("s", GgmlType.F32, 1, 1).ggmlNDims());
        assertEquals(3, TensorInfo.of("m", GgmlType.F32, 8, 1, 2, 1).ggmlNDims());
        assertArrayEquals(new long[] {8, 1, 2}, TensorInfo.of("m", GgmlType.F32, 8, 1, 2, 1).withGgmlNDims().ne());
        Path p = tmp.resolve("dims.gguf");
        try (GgufWriter w = GgufWriter.builder().addTensor("as_stored", GgmlType.F32, 4, 1)
                .addTensor(TensorInfo.of("ggml", GgmlType.F32, 4, 1).withGgmlNDims()).open(p)) {
            w.write(new byte[16]);
            w.write(new byte[16]);
            w.finish();
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertArrayEquals(new long[] {4, 1}, f.tensor("as_stored").ne());
            assertArrayEquals(new long[] {4}, f.tensor("ggml").ne());
            assertEquals(f.tensor("as_stored").byteSize(), f.tensor("ggml").byteSize());
        }
    }
}
