package io.mbllm.gguf.mix;

import io.mbllm.testkit.SplitMix64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.Half;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/** ModelQuantizer behaviour beyond the golden files: source types, options, errors, cancellation, chunking. */
class ModelQuantizerTest {
    @TempDir
    static Path tmp;
    static Path f32;

    @BeforeAll
    static void input() throws IOException {
        f32 = tmp.resolve("tiny-f32.gguf");
        TinyModel.write(f32);
    }

    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The tiny model with 2-D weights stored as {@code type} (F16/BF16) or as F32 holding {@code type}'s rounding. */
    static Path variant(String name, GgmlType type, boolean asF32) throws IOException {
        Path p = tmp.resolve(name);
        List<TensorInfo> src = TinyModel.tensors();
        List<TensorInfo> infos = new ArrayList<>();
        for (TensorInfo t : src) infos.add(t.nDims() == 2 && !asF32 ? t.withType(type) : t);
        QuantCodec codec = QuantTypes.codec(type);
        try (GgufWriter w = GgufWriter.builder().metadata(TinyModel.metadata()).addTensors(infos).open(p)) {
            for (int k = 0; k < src.size(); k++) {
                float[] v = TinyModel.values(k, src.get(k));
                if (src.get(k).nDims() == 2) {
                    byte[] enc = new byte[(int) type.rowBytes(v.length)];
                    codec.quantizeRow(v, 0, null, 0, v.length, enc, 0);
                    if (asF32) {
                        float[] back = new float[v.length];
                        codec.dequantizeRow(MemorySegment.ofArray(enc), 0, back, 0, v.length);
                        w.write(f32bytes(back));
                    } else {
                        w.write(enc);
                    }
                } else {
                    w.write(f32bytes(v));
                }
            }
            w.finish();
        }
        return p;
    }

    static MemorySegment f32bytes(float[] v) {
        MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4]);
        MemorySegment.copy(v, 0, s, LE_F32, 0, v.length);
        return s;
    }

    static Map<String, String> tensorHashes(Path p) throws Exception {
        Map<String, String> m = new HashMap<>();
        try (GgufFile f = GgufFile.open(p)) {
            for (TensorInfo t : f.tensors()) {
                m.put(t.name(), t.type().ggmlName() + ":" + QuantE2eTest.sha256(f.tensorData(t).toArray(ValueLayout.JAVA_BYTE)));
            }
        }
        return m;
    }

    @Test
    void f16AndBf16SourcesQuantizeLikeTheirExactF32Values() throws Exception {
        for (GgmlType t : List.of(GgmlType.F16, GgmlType.BF16)) {
            Path half = variant("tiny-" + t.ggmlName() + ".gguf", t, false);
            Path widened = variant("tiny-" + t.ggmlName() + "-as-f32.gguf", t, true);
            Path a = tmp.resolve("a.gguf"), b = tmp.resolve("b.gguf");
            QuantizeOptions o = QuantizeOptions.of(FileType.Q4_K_M).withThreads(2);
            ModelQuantizer.Result ra = ModelQuantizer.quantize(half, a, o, ModelQuantizer.ProgressListener.none());
            ModelQuantizer.quantize(widened, b, o, ModelQuantizer.ProgressListener.none());
            assertEquals(tensorHashes(b), tensorHashes(a), t + " source");
            assertTrue(Files.size(a) < Files.size(half));
            assertTrue(ra.bitsPerWeight() > 4 && ra.bitsPerWeight() < 7, "bpw " + ra.bitsPerWeight());
        }
    }

    @Test
    void toF16KeepsNormsF32AndRoundsWeights() throws Exception {
        Path out = tmp.resolve("f16.gguf");
        ModelQuantizer.quantize(f32, out, QuantizeOptions.of(FileType.F16).withThreads(1), ModelQuantizer.ProgressListener.none());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
            TensorInfo q = f.tensor("blk.3.attn_q.weight");
            assertEquals(GgmlType.F16, q.type());
            float[] v = TinyModel.values(1 + 3 * 9 + 1, TinyModel.tensors().get(1 + 3 * 9 + 1));
            MemorySegment d = f.tensorData(q);
            for (int i = 0; i < v.length; i += 97) {
                assertEquals(Half.fromFloat(v[i]), d.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i));
            }
            assertEquals(1L, f.metadata().getU32("general.file_type"));
        }
    }

    @Test
    void quantizedSourceNeedsAllowRequantize() throws Exception {
        Path q8 = tmp.resolve("q8.gguf");
        ModelQuantizer.quantize(f32, q8, QuantizeOptions.of(FileType.Q8_0).withThreads(2), ModelQuantizer.ProgressListener.none());
        Path out = tmp.resolve("re.gguf");
        QuantizeException e = assertThrows(QuantizeException.class, () ->
                ModelQuantizer.quantize(q8, out, QuantizeOptions.of(FileType.Q4_K_M), ModelQuantizer.ProgressListener.none()));
        assertTrue(e.getMessage().contains("--allow-requantize"), e.getMessage());
        assertFalse(Files.exists(out));
        ModelQuantizer.Result r = ModelQuantizer.quantize(q8, out, QuantizeOptions.of(FileType.Q4_K_M).withAllowRequantize(true),
                ModelQuantizer.ProgressListener.none());
        assertEquals(75, r.tensorCounts().values().stream().mapToInt(Integer::intValue).sum());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(GgmlType.Q6_K, f.tensor("output.weight").type());
            assertEquals(GgmlType.Q4_K, f.tensor("blk.1.attn_q.weight").type());
        }
    }

    @Test
    void pureAndOverrides() throws Exception {
        try (GgufFile in = GgufFile.open(f32)) {
            QuantizeOptions o = QuantizeOptions.of(FileType.Q4_K_M).withPure(true)
                    .withOutputTensorType(GgmlType.Q8_0).withTokenEmbeddingType(GgmlType.Q5_0);
            Map<String, GgmlType> types = new HashMap<>();
            for (ModelQuantizer.TensorPlan p : ModelQuantizer.plan(in, o)) types.put(p.source().name(), p.target());
            assertEquals(GgmlType.Q8_0, types.get("output.weight"));
            assertEquals(GgmlType.Q5_0, types.get("token_embd.weight"));
            assertEquals(GgmlType.Q4_K, types.get("blk.0.attn_v.weight")); // pure: no more_bits bump
            assertEquals(GgmlType.Q5_0, types.get("blk.0.ffn_down.weight")); // ne0 = 320: fallback still applies
            assertEquals(GgmlType.F32, types.get("blk.0.ffn_norm.weight"));
            // rules on: overrides replace the output rule
            Map<String, GgmlType> ruled = new HashMap<>();
            for (ModelQuantizer.TensorPlan p : ModelQuantizer.plan(in, QuantizeOptions.of(FileType.Q4_K_M).withOutputTensorType(GgmlType.Q4_0))) {
                ruled.put(p.source().name(), p.target());
            }
            assertEquals(GgmlType.Q4_0, ruled.get("output.weight"));
            assertEquals(GgmlType.Q6_K, ruled.get("blk.0.attn_v.weight"));
        }
    }

    @Test
    void badRequestsFailBeforeWriting() throws Exception {
        Path out = tmp.resolve("never.gguf");
        ModelQuantizer.ProgressListener none = ModelQuantizer.ProgressListener.none();
        // Q2_K_S without imatrix
        QuantizeException e1 = assertThrows(QuantizeException.class,
                () -> ModelQuantizer.quantize(f32, out, QuantizeOptions.of(FileType.Q2_K_S), none));
        assertTrue(e1.getMessage().contains("importance matrix"), e1.getMessage());
        // IQ ftype: no rules, no codec
        assertThrows(QuantizeException.class, () -> ModelQuantizer.quantize(f32, out, QuantizeOptions.of(FileType.IQ2_XXS), none));
        QuantizeException e2 = assertThrows(QuantizeException.class,
                () -> ModelQuantizer.quantize(f32, out, QuantizeOptions.of(FileType.IQ2_XXS).withPure(true), none));
        assertTrue(e2.getMessage().contains("iq2_xxs"), e2.getMessage());
        // imatrix entry of the wrong length
        Path dat = tmp.resolve("bad.dat");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 + 4 + 20 + 4 + 4 + 8 * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(1).putInt(20).put("blk.0.attn_q.weight\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(1).putInt(8);
        for (int i = 0; i < 8; i++) bb.putFloat(1f);
        b.writeBytes(bb.array());
        Files.write(dat, b.toByteArray());
        Imatrix bad = Imatrix.load(dat);
        QuantizeException e3 = assertThrows(QuantizeException.class, () -> ModelQuantizer.quantize(f32, out,
                QuantizeOptions.of(FileType.Q4_K_M).withImatrix(bad, "bad.dat"), none));
        assertTrue(e3.getMessage().contains("imatrix size 8"), e3.getMessage());
        // a model without an architecture
        Path noArch = tmp.resolve("noarch.gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(GgufMetadata.builder().put("general.name", GgufValue.of("x")).build())
                .addTensor("a.weight", GgmlType.F32, 32, 2).open(noArch)) {
            w.write(new byte[256]);
            w.finish();
        }
        assertThrows(QuantizeException.class, () -> ModelQuantizer.quantize(noArch, out, QuantizeOptions.of(FileType.Q8_0), none));
        assertFalse(Files.exists(out));
    }

    @Test
    void interruptCancelsAndRemovesThePartialFile() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cancel"));
        Path out = dir.resolve("out.gguf");
        List<String> seen = new ArrayList<>();
        assertThrows(InterruptedException.class, () -> ModelQuantizer.quantize(f32, out,
                QuantizeOptions.of(FileType.Q4_K_M).withThreads(2), p -> {
                    seen.add(p.tensor());
                    if (p.index() == 10) Thread.currentThread().interrupt();
                }));
        assertFalse(Thread.interrupted(), "flag consumed by the cancellation");
        assertTrue(seen.size() > 10 && !seen.contains("blk.7.ffn_up.weight"), "stopped early");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "no partial file left");
        }
    }

    @Test
    void progressCoversAllBytesInOrder() throws Exception {
        Path out = tmp.resolve("progress.gguf");
        List<ModelQuantizer.Progress> ps = new ArrayList<>();
        ModelQuantizer.Result r = ModelQuantizer.quantize(f32, out, QuantizeOptions.of(FileType.Q8_0).withThreads(2), ps::add);
        assertEquals("output.weight", ps.getFirst().tensor());
        ModelQuantizer.Progress last = ps.getLast();
        assertEquals(last.bytesTotal(), last.bytesDone());
        assertEquals(r.inputTensorBytes(), last.bytesTotal());
        assertEquals(74, last.index());
        for (int i = 1; i < ps.size(); i++) assertTrue(ps.get(i).bytesDone() >= ps.get(i - 1).bytesDone());
    }

    @Test
    void chunkedParallelOutputEqualsSequentialRows() throws Exception {
        int ne0 = 512, rows = 37;
        float[] v = new float[ne0 * rows];
        SplitMix64 g = new SplitMix64(7);
        for (int i = 0; i < v.length; i++) v[i] = g.gau() * 0.1f;
        float[] imp = TinyModel.importance(3, ne0 * 2L);
        MemorySegment src = f32bytes(v);
        for (GgmlType t : List.of(GgmlType.Q4_K, GgmlType.Q2_K, GgmlType.Q5_0, GgmlType.F16)) {
            QuantCodec c = QuantTypes.codec(t);
            long rb = t.rowBytes(ne0);
            byte[] want = new byte[(int) (rb * rows)];
            for (int r = 0; r < rows; r++) c.quantizeRow(v, r * ne0, imp, (r / 20) * ne0, ne0, want, (int) (r * rb));
            for (int threads : new int[] {1, 3}) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                long[] progress = {0};
                try (ParallelRowQuantizer q = new ParallelRowQuantizer(threads, 3 * ne0)) {
                    q.convert(src, GgmlType.F32, t, ne0, rows, imp, 20, got::write, n -> progress[0] += n);
                }
                assertArrayEquals(want, got.toByteArray(), t + " threads=" + threads);
                assertEquals(src.byteSize(), progress[0]);
            }
        }
    }
}
