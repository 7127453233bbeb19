package io.mbllm.engine.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufValueType;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.testkit.SharedData;

/**
 * The generator against the llama.cpp oracle data: per-tensor SHA-256 of the llama-1b F16 file (made by
 * {@code gen_synth_gguf.py}), the tensor layout, the KVs the script writes, and the vocab cut. The whole-file
 * hashes are checked by the {@code oracle} tests.
 */
class SyntheticModelTest {
    private static final String ORACLE = "testdata/llamacpp-oracle/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tensorHashes() throws IOException {
        return JSON.readTree(SharedData.require(ORACLE + "llama-1b.tensor-sha256.json").toFile()).get("llama-1b-F16.gguf");
    }

    private static String sha256Of(SynthTensor t, int threads) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        SyntheticModel.stream(List.of(t), 42, threads, seg -> md.update(seg.asByteBuffer()));
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void splitmixAndFnvMatchTheirDefinitions() {
        // fnv1a64("") is the offset basis; "a" is the published FNV-1a 64 test vector.
        assertEquals(0xcbf29ce484222325L, NormalF16.fnv1a64(""));
        assertEquals(0xaf63dc4c8601ec8cL, NormalF16.fnv1a64("a"));
        // splitmix64 seeded with 0: the first output is mix(0x9E3779B97F4A7C15) = 0xE220A8397B1DCDAF.
        assertEquals(0xE220A8397B1DCDAFL, NormalF16.mix(0x9E3779B97F4A7C15L));
    }

    @Test
    void weightTensorsMatchTheScriptsPerTensorHashes() throws Exception {
        JsonNode ref = tensorHashes();
        Map<String, SynthTensor> plan = new LinkedHashMap<>();
        SyntheticModel.plan(SynthShape.LLAMA_1B).forEach(t -> plan.put(t.name(), t));
        int checked = 0;
        for (var it = ref.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("token_embd.weight")) continue; // 525 MB: covered by the whole-file oracle test
            SynthTensor t = plan.get(e.getKey());
            JsonNode r = e.getValue();
            assertEquals(r.get("type").asText(), t.fill().type().ggmlName().toUpperCase(), e.getKey());
            long[] ne = new long[r.get("ne").size()];
            for (int i = 0; i < ne.length; i++) ne[i] = r.get("ne").get(i).asLong();
            assertArrayEquals(ne, t.ne(), e.getKey());
            assertEquals(r.get("n_bytes").asLong(), t.info().byteSize(), e.getKey());
            assertEquals(r.get("sha256").asText(), sha256Of(t, 2), e.getKey());
            checked++;
        }
        assertEquals(7, checked);
    }

    @Test
    void tensorOffsetsFollowTheScriptsLayout() throws Exception {
        JsonNode ref = tensorHashes();
        List<SynthTensor> plan = SyntheticModel.plan(SynthShape.LLAMA_1B);
        assertEquals(1 + 16 * 9 + 1, plan.size());
        Map<String, Long> rel = new LinkedHashMap<>();
        long off = 0;
        for (SynthTensor t : plan) {
            rel.put(t.name(), off);
            off += (t.info().byteSize() + 31) / 32 * 32;
        }
        long base = ref.get("token_embd.weight").get("data_offset").asLong();
        for (var it = ref.fields(); it.hasNext(); ) {
            var e = it.next();
            assertEquals(e.getValue().get("data_offset").asLong() - base, rel.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void stablelmPlanHasBiasesAndUntiedOutput() {
        List<SynthTensor> plan = SyntheticModel.plan(SynthShape.STABLELM_3B);
        assertEquals(1 + 32 * 11 + 2 + 1, plan.size());
        assertEquals("blk.0.attn_norm.bias", plan.get(2).name());
        assertEquals(SynthTensor.Fill.ZEROS, plan.get(2).fill());
        assertEquals("output.weight", plan.getLast().name());
        assertArrayEquals(new long[] {2560, 50304}, plan.getLast().ne());
        assertArrayEquals(new long[] {2560, 2560}, plan.stream().filter(t -> t.name().equals("blk.3.attn_k.weight"))
                .findFirst().orElseThrow().ne());
        long params = plan.stream().mapToLong(SynthTensor::elementCount).sum();
        assertEquals(2_795_443_200L, params); // README: 2,795,443,200 params
        assertEquals(1_235_814_400L,
                SyntheticModel.plan(SynthShape.LLAMA_1B).stream().mapToLong(SynthTensor::elementCount).sum());
    }

    @Test
    void generationDoesNotDependOnThreadCountOrChunking() throws Exception {
        SynthTensor t = new SynthTensor("blk.7.attn_v.weight", new long[] {64, 3 * SyntheticModel.CHUNK_ELEMENTS / 64 + 5},
                SynthTensor.Fill.NORMAL);
        String one = sha256Of(t, 1);
        assertEquals(one, sha256Of(t, 3));
        // and element by element from the counter definition
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] b = new byte[2];
        long key = NormalF16.key(42, t.name());
        for (long i = 0; i < t.elementCount(); i++) {
            short h = NormalF16.element(key, i);
            b[0] = (byte) h;
            b[1] = (byte) (h >> 8);
            md.update(b);
        }
        assertEquals(one, HexFormat.of().formatHex(md.digest()));
    }

    @Test
    void normsAreOnesAndBiasesZeros() throws Exception {
        List<byte[]> got = new ArrayList<>();
        SyntheticModel.stream(List.of(new SynthTensor("n", new long[] {3}, SynthTensor.Fill.ONES),
                new SynthTensor("b", new long[] {2}, SynthTensor.Fill.ZEROS)), 42, 2,
                seg -> got.add(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, (byte) 0x80, 0x3f, 0, 0, (byte) 0x80, 0x3f}, got.get(0));
        assertArrayEquals(new byte[8], got.get(1));
    }

    @Test
    void llamaMetadataHasTheScriptsKeysInOrder() throws Exception {
        SyntheticModel m = SyntheticModel.of(SynthShape.LLAMA_1B, 42, SharedData.require(ORACLE + "vocab/vocab-llama3.gguf"));
        GgufMetadata md = m.metadata();
        assertEquals(List.of("general.architecture", "general.name", "general.description", "llama.context_length",
                "llama.embedding_length", "llama.block_count", "llama.feed_forward_length", "llama.attention.head_count",
                "llama.attention.head_count_kv", "llama.rope.dimension_count", "llama.rope.freq_base",
                "llama.attention.layer_norm_rms_epsilon", "llama.vocab_size", "general.file_type",
                "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
                "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                "tokenizer.ggml.add_bos_token", "tokenizer.chat_template"), List.copyOf(md.keys()));
        assertEquals("synthetic-llama-1b-seed42", md.getString("general.name"));
        assertEquals(GgufValue.u32(1), md.get("general.file_type"));
        assertEquals(GgufValue.f32(500000f), md.get("llama.rope.freq_base"));
        assertEquals(128256, ((GgufValue.Array) md.get("tokenizer.ggml.tokens")).size());
    }

    @Test
    void stablelmMetadataCutsTheVocabButNotTheMerges() throws Exception {
        Path vocab = SharedData.require(ORACLE + "vocab/ggml-vocab-gpt-neox.gguf");
        SyntheticModel m = SyntheticModel.of(SynthShape.STABLELM_3B, 42, vocab);
        GgufMetadata md = m.metadata();
        assertEquals(GgufValue.bool(false), md.get("stablelm.use_parallel_residual"));
        assertTrue(md.contains("stablelm.attention.layer_norm_epsilon"));
        assertTrue(!md.contains("stablelm.vocab_size") && !md.contains("tokenizer.ggml.pre"));
        var tokens = (GgufValue.StringArray) md.get("tokenizer.ggml.tokens");
        var types = (GgufValue.NumericArray) md.get("tokenizer.ggml.token_type");
        assertEquals(50304, tokens.size());
        assertEquals(50304, types.size());
        assertEquals(GgufValueType.INT32, types.elementType());
        try (GgufFile v = GgufFile.open(vocab)) {
            var full = (GgufValue.StringArray) v.metadata().get("tokenizer.ggml.tokens");
            assertTrue(full.size() > 50304);
            for (int i : new int[] {0, 50276, 50277, 50303}) assertArrayEquals(full.bytes(i), tokens.bytes(i));
            assertEquals(v.metadata().get("tokenizer.ggml.merges"), md.get("tokenizer.ggml.merges"));
        }
        assertEquals("[PAD50277]", tokens.get(50277));
    }

    @Test
    void vocabWithoutTokenizerOrTooShortIsATypedError(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(GgufMetadata.builder().put("general.architecture", "llama").build())
                .open(empty)) {
            w.finish();
        }
        SynthException e = assertThrows(SynthException.class, () -> SyntheticModel.of(SynthShape.LLAMA_1B, 42, empty));
        assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
        Path shortVocab = dir.resolve("short.gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(GgufMetadata.builder()
                .put("tokenizer.ggml.tokens", GgufValue.StringArray.of(List.of("a", "b"))).build()).open(shortVocab)) {
            w.finish();
        }
        e = assertThrows(SynthException.class, () -> SyntheticModel.of(SynthShape.LLAMA_1B, 42, shortVocab));
        assertTrue(e.getMessage().contains("2 < 128256"), e.getMessage());
    }

    @Test
    void smallModelRoundTripsThroughTheReader(@TempDir Path dir) throws Exception {
        SynthShape tiny = new SynthShape("tiny", "llama", 64, 2, 4, 2, 96, 8, 10000f, 128, 1e-5f, true, 16, false);
        GgufMetadata vocab = GgufMetadata.builder().put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.tokens", GgufValue.StringArray.of(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i")))
                .build();
        Path vf = dir.resolve("v.gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(vocab).open(vf)) {
            w.finish();
        }
        SyntheticModel m = SyntheticModel.of(tiny, 7, vf);
        SyntheticModel.Written w = m.write(dir.resolve("tiny.gguf"), 2);
        try (GgufFile f = GgufFile.open(w.path())) {
            assertEquals(w.bytes(), f.size());
            assertEquals(8, ((GgufValue.Array) f.metadata().get("tokenizer.ggml.tokens")).size());
            assertEquals(m.tensors().size(), f.tensors().size());
            var q = f.tensor("blk.1.attn_k.weight");
            assertEquals(GgmlType.F16, q.type());
            MemorySegment data = f.tensorData(q);
            long key = NormalF16.key(7, "blk.1.attn_k.weight");
            for (long i = 0; i < q.elementCount(); i++) {
                assertEquals(NormalF16.element(key, i), data.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i));
            }
            assertEquals(1.0f, f.tensorData(f.tensor("output_norm.weight")).get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        }
        assertEquals(w.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(w.path()))));
    }
}
