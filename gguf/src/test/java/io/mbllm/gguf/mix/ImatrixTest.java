package io.mbllm.gguf.mix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.testkit.SharedData;

/** Loading both imatrix formats: the golden tiny imatrix, an equivalent legacy file, and malformed input. */
class ImatrixTest {
    @TempDir
    Path tmp;

    /** The model tensors that have imatrix entries, with their index k in the tiny model. */
    record Weighted(int k, TensorInfo t) {}

    static List<Weighted> weighted() {
        List<TensorInfo> ts = TinyModel.tensors();
        List<Weighted> out = new java.util.ArrayList<>();
        for (int k = 0; k < ts.size(); k++) {
            TensorInfo t = ts.get(k);
            if (t.nDims() == 2 && !t.name().equals("token_embd.weight") && !t.name().equals("output.weight")) out.add(new Weighted(k, t));
        }
        return out;
    }

    @Test
    void goldenGgufImatrixGivesTheDocumentedVectors() throws IOException {
        Imatrix m = Imatrix.load(SharedData.require("testdata/quant-e2e/tiny-imatrix.gguf"));
        assertEquals(Imatrix.Format.GGUF, m.format());
        assertEquals(56, m.size());
        assertEquals(List.of("golden-synthetic"), m.datasets());
        assertEquals(4, m.chunkCount());
        assertEquals(512, m.chunkSize());
        for (Weighted w : weighted()) {
            float[] want = TinyModel.importance(w.k(), w.t().ne(0));
            assertArrayEquals(bits(want), bits(m.vector(w.t().name())), w.t().name());
        }
        assertNull(m.vector("token_embd.weight"));
        assertEquals(-1, m.length("output.weight"));
    }

    @Test
    void legacyDatGivesIdenticalVectors() throws IOException {
        Imatrix gguf = Imatrix.load(SharedData.require("testdata/quant-e2e/tiny-imatrix.gguf"));
        Path dat = tmp.resolve("tiny-imatrix.dat");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Weighted> ws = weighted();
        putInt(out, ws.size());
        for (Weighted w : ws) {
            byte[] name = w.t().name().getBytes(StandardCharsets.UTF_8);
            putInt(out, name.length);
            out.write(name);
            float[] sums = TinyModel.importanceSums(w.k(), w.t().ne(0));
            putInt(out, 2048); // ncall: stored values are mean * ncall = the sums
            putInt(out, sums.length);
            for (float f : sums) putInt(out, Float.floatToRawIntBits(f));
        }
        putInt(out, 4);
        byte[] ds = "golden-synthetic".getBytes(StandardCharsets.UTF_8);
        putInt(out, ds.length);
        out.write(ds);
        Files.write(dat, out.toByteArray());

        Imatrix legacy = Imatrix.load(dat);
        assertEquals(Imatrix.Format.LEGACY, legacy.format());
        assertEquals(gguf.names(), legacy.names());
        for (String n : gguf.names()) assertArrayEquals(bits(gguf.vector(n)), bits(legacy.vector(n)), n);
        assertEquals(List.of("golden-synthetic"), legacy.datasets());
        assertEquals(4, legacy.chunkCount());
    }

    @Test
    void legacyWithoutTrailerAndWithZeroCalls() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        putInt(out, 1);
        putInt(out, 3);
        out.write("a.w".getBytes(StandardCharsets.UTF_8));
        putInt(out, 0); // ncall 0: values taken as stored
        putInt(out, 2);
        putInt(out, Float.floatToRawIntBits(3f));
        putInt(out, Float.floatToRawIntBits(5f));
        Path p = tmp.resolve("x.dat");
        Files.write(p, out.toByteArray());
        Imatrix m = Imatrix.load(p);
        assertArrayEquals(new float[] {3f, 5f}, m.vector("a.w"));
        assertEquals(List.of(), m.datasets());
        assertEquals(0, m.chunkCount());
    }

    @Test
    void ggufCountsAreRoundedAndZeroCountsGiveOnes() throws IOException {
        Path p = tmp.resolve("im.gguf");
        GgufMetadata meta = GgufMetadata.builder().put("general.type", "imatrix")
                .put("imatrix.datasets", GgufValue.StringArray.of(List.of("d1", "d2")))
                .put("imatrix.chunk_count", GgufValue.u32(7)).put("imatrix.chunk_size", GgufValue.u32(64)).build();
        try (GgufWriter w = GgufWriter.builder().metadata(meta)
                .addTensor("x.weight.in_sum2", GgmlType.F32, 2, 3)
                .addTensor("x.weight.counts", GgmlType.F32, 1, 3).open(p)) {
            w.write(f32(6f, 9f, 1f, 2f, 10f, 20f));
            w.write(f32(2.5f, 0.4f, 4.49f)); // lround: 3, 0, 4
            w.finish();
        }
        Imatrix m = Imatrix.load(p);
        assertArrayEquals(new float[] {2f, 3f, 1f, 1f, 10f / 4f, 20f / 4f}, m.vector("x.weight"));
        assertEquals(List.of("d1", "d2"), m.datasets());
        assertEquals(7, m.chunkCount());
    }

    @Test
    void malformedFilesGiveTypedErrors() throws IOException {
        Path missing = tmp.resolve("nope.dat");
        assertTrue(assertThrows(ImatrixException.class, () -> Imatrix.load(missing)).getMessage().contains("not found"));
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("empty", new byte[0])));
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("zero", ints(0))));
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("negname", ints(1, -5))));
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("hugeval", concat(ints(1, 1), new byte[] {'a'}, ints(1, 1 << 30)))));
        byte[] good = concat(ints(1, 1), new byte[] {'a'}, ints(1, 2), ints(0, 0));
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("trunc", Arrays.copyOf(good, good.length - 3))));
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("badtrailer", concat(good, ints(4)))));
        // GGUF without the mandatory imatrix keys
        Path nokeys = tmp.resolve("nokeys.gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(GgufMetadata.builder().put("general.type", "imatrix").build())
                .addTensor("x.in_sum2", GgmlType.F32, 4, 1).addTensor("x.counts", GgmlType.F32, 1, 1).open(nokeys)) {
            w.write(f32(1, 2, 3, 4));
            w.write(f32(1));
            w.finish();
        }
        assertTrue(assertThrows(ImatrixException.class, () -> Imatrix.load(nokeys)).getMessage().contains("imatrix.datasets"));
        // sums without counts
        Path unpaired = tmp.resolve("unpaired.gguf");
        GgufMetadata meta = GgufMetadata.builder().put("imatrix.datasets", GgufValue.StringArray.of(List.of("d")))
                .put("imatrix.chunk_count", GgufValue.u32(1)).put("imatrix.chunk_size", GgufValue.u32(1)).build();
        try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensor("x.in_sum2", GgmlType.F32, 4, 1).open(unpaired)) {
            w.write(f32(1, 2, 3, 4));
            w.finish();
        }
        assertTrue(assertThrows(ImatrixException.class, () -> Imatrix.load(unpaired)).getMessage().contains("mismatched"));
        // GGUF magic but garbage after it
        assertThrows(ImatrixException.class, () -> Imatrix.load(write("badgguf", "GGUF\u0003\u0000garbage".getBytes(StandardCharsets.ISO_8859_1))));
    }

    @Test
    void lroundIsHalfAwayFromZero() {
        assertEquals(3, ImatrixGguf.lround(2.5f));
        assertEquals(2, ImatrixGguf.lround(2.4999998f));
        assertEquals(-3, ImatrixGguf.lround(-2.5f));
        assertEquals(0, ImatrixGguf.lround(Float.NaN));
    }

    private Path write(String name, byte[] b) throws IOException {
        Path p = tmp.resolve(name + ".dat");
        Files.write(p, b);
        return p;
    }

    private static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ints(v));
    }

    private static MemorySegment f32(float... v) {
        MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4]);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, v.length);
        return s;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
