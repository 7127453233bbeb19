package io.mbllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.testkit.SharedData;

/** Real files from the shared folder: read, spot-check, and re-write byte for byte. */
class GgufSharedFilesTest {
    @TempDir Path tmp;

    static String sha256(MemorySegment seg) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(seg.asByteBuffer());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String sha256(Path p) throws IOException {
        try (GgufFile f = GgufFile.open(p)) {
            return sha256(f.segment());
        }
    }

    private static List<Path> ggufs(String dir) throws IOException {
        try (Stream<Path> s = Files.list(SharedData.require(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySharedGgufRewritesByteForByte() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(SharedData.require("models/stories260K.gguf"));
        files.addAll(ggufs("testdata/tokenizer"));
        files.addAll(ggufs("testdata/quant-e2e"));
        files.addAll(ggufs("testdata/lora-oracle"));
        files.addAll(ggufs("testdata/lora-oracle/edge"));
        assertTrue(files.size() >= 30, "expected the shared GGUF files, found " + files.size());
        return files.stream().map(src -> DynamicTest.dynamicTest(src.getFileName().toString(), () -> {
            Path out = tmp.resolve(src.getFileName());
            try (GgufFile f = GgufFile.open(src)) {
                GgufRewriter.copy(f, out);
            }
            assertEquals(Files.size(src), Files.size(out), "size of re-written " + src);
            assertEquals(-1L, Files.mismatch(src, out), "first differing byte of re-written " + src);
            assertEquals(sha256(src), sha256(out));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".partial")).toList(),
                        "no temporary file may be left beside the output");
            }
        }));
    }

    @Test
    void stories260KSpotChecks() throws IOException {
        Path p = SharedData.require("models/stories260K.gguf");
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d", sha256(f.segment()));
            assertEquals(3, f.version());
            assertEquals(1_185_376L, f.size());
            assertEquals(32, f.alignment());
            assertEquals(48, f.tensors().size());
            GgufMetadata m = f.metadata();
            assertEquals("llama", m.getString("general.architecture"));
            assertEquals(64, m.getInt("llama.embedding_length"));
            assertEquals(5, m.getInt("llama.block_count"));
            assertEquals(172, m.getInt("llama.feed_forward_length"));
            assertEquals(8, m.getInt("llama.attention.head_count"));
            assertEquals("llama", m.getString("tokenizer.ggml.model"));
            List<String> tokens = m.getStringArray("tokenizer.ggml.tokens");
            assertEquals(512, tokens.size());
            assertEquals("<unk>", tokens.get(0));
            assertEquals("<s>", tokens.get(1));
            assertEquals("</s>", tokens.get(2));
            assertEquals(512, m.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(512, m.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(1, m.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(2, m.getInt("tokenizer.ggml.eos_token_id"));

            TensorInfo gate = f.tensor("blk.0.ffn_gate.weight");
            assertArrayEquals(new long[] {64, 172}, gate.ne());
            assertEquals(GgmlType.F32, gate.type());
            assertEquals(64L * 172 * 4, gate.byteSize());
            assertEquals(64L * 172 * 4, f.tensorData(gate).byteSize());
            TensorInfo emb = f.tensor("token_embd.weight");
            assertArrayEquals(new long[] {64, 512}, emb.ne());
            assertArrayEquals(new long[] {64}, f.tensor("blk.4.attn_norm.weight").ne());
            // back-to-back, aligned, all within the file
            long expected = 0;
            for (TensorInfo t : f.tensors()) {
                assertEquals(expected, t.offset(), t.name());
                expected += (t.byteSize() + 31) / 32 * 32;
            }
            assertEquals(f.size(), f.dataOffset() + expected);
            // the data is the model's: every norm weight of stories260K is a finite, positive-ish float
            MemorySegment norm = f.tensorData(f.tensor("output_norm.weight"));
            for (long i = 0; i < 64; i++) {
                float v = norm.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i * 4);
                assertTrue(Float.isFinite(v) && v != 0f, "output_norm[" + i + "] = " + v);
            }
        }
    }

    @Test
    void vocabFilesHaveNoTrailingPadding() throws IOException {
        for (Path p : ggufs("testdata/tokenizer")) {
            try (GgufFile f = GgufFile.open(p)) {
                assertEquals(0, f.tensors().size(), p.toString());
                assertEquals(f.size(), f.tensorInfoEnd(), "gguf-py vocab files end right after the KVs: " + p);
                assertTrue(f.metadata().getStringArray("tokenizer.ggml.tokens").size() > 1000, p.toString());
            }
        }
    }

    /** The tensor table llama-quantize wrote (offsets, sizes, SHA-256 of each tensor) matches what we read. */
    @Test
    void quantizeOutputTensorsMatchTheirHashes() throws IOException {
        Path dir = SharedData.require("testdata/quant-e2e");
        List<String> rows = Files.readAllLines(dir.resolve("tiny-Q4_K_M-imat.tensors.tsv"));
        byte[] meta = Files.readAllBytes(dir.resolve("tiny-Q4_K_M-imat.meta.bin"));
        try (GgufFile f = GgufFile.open(dir.resolve("tiny-Q4_K_M-imat.gguf"))) {
            assertEquals(meta.length, f.dataOffset());
            assertEquals(rows.size() - 1, f.tensors().size());
            for (int i = 1; i < rows.size(); i++) {
                String[] c = rows.get(i).split("\t");
                TensorInfo t = f.tensors().get(i - 1);
                assertEquals(c[0], t.name());
                assertEquals(c[1], t.type().name());
                assertEquals(Integer.parseInt(c[2]), t.type().id());
                assertArrayEquals(Arrays.stream(c[3].split("x")).mapToLong(Long::parseLong).toArray(), t.ne(), t.name());
                assertEquals(Long.parseLong(c[4]), t.offset(), t.name());
                assertEquals(Long.parseLong(c[5]), t.byteSize(), t.name());
                assertEquals(c[6], sha256(f.tensorData(t)), t.name());
            }
        }
    }

    /**
     * For every llama-quantize run, the metadata bytes (header, KVs, infos, padding) re-written by our writer
     * equal the original: the meta.bin image is completed with zero tensor data, parsed, re-written.
     */
    @TestFactory
    Stream<DynamicTest> quantizeMetadataBytesReproduced() throws IOException {
        Path dir = SharedData.require("testdata/quant-e2e");
        List<Path> metas;
        try (Stream<Path> s = Files.list(dir)) {
            metas = s.filter(p -> p.getFileName().toString().endsWith(".meta.bin")).sorted().toList();
        }
        assertTrue(metas.size() >= 23, "meta.bin files: " + metas.size());
        String outputs = Files.readString(dir.resolve("outputs.json"));
        return metas.stream().map(metaPath -> DynamicTest.dynamicTest(metaPath.getFileName().toString(), () -> {
            String name = metaPath.getFileName().toString().replace(".meta.bin", "");
            long fileBytes = jsonLong(outputs, name, "file_bytes");
            byte[] meta = Files.readAllBytes(metaPath);
            byte[] image = Arrays.copyOf(meta, Math.toIntExact(fileBytes));
            GgufFile f = GgufFile.parse(MemorySegment.ofArray(image));
            assertEquals(meta.length, f.dataOffset());
            assertEquals(jsonLong(outputs, name, "n_kv"), f.metadata().size());
            assertEquals(jsonLong(outputs, name, "n_tensors"), f.tensors().size());
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GgufWriter w = GgufWriter.builder().metadata(f.metadata()).addTensors(f.tensors())
                    .open(Channels.newChannel(bos))) {
                for (TensorInfo t : f.tensors()) w.write(f.tensorData(t));
                w.finish();
            }
            assertArrayEquals(image, bos.toByteArray());
            assertEquals(f.tensors(), f.tensors().stream().map(TensorInfo::withGgmlNDims).toList(),
                    "llama-quantize writes ggml_n_dims");
        }));
    }

    /** Minimal lookup in outputs.json: {"name": {"key": number, ...}, ...}. */
    private static long jsonLong(String json, String name, String key) {
        int at = json.indexOf("\"" + name + "\"");
        assertFalse(at < 0, name + " in outputs.json");
        int k = json.indexOf("\"" + key + "\"", at);
        int colon = json.indexOf(':', k);
        int end = colon + 1;
        while (end < json.length() && (Character.isWhitespace(json.charAt(end)) || Character.isDigit(json.charAt(end)))) end++;
        return Long.parseLong(json.substring(colon + 1, end).trim());
    }
}
