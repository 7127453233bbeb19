package io.mbllm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.generate.Greedy;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/** {@link LoraMerger} against {@code llama-export-lora}'s output ({@code merged-a.tensor-sha256.json}) and the merged-model oracle. *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class LoraMergeTest {
    static Parallel pool;
    static Path base, adapterA;

    @TempDir
    static Path tmp;

    static Path mergedA;

    @BeforeAll
    static void load() throws Exception {
        pool = new Parallel(2);
        LoraOracleTest.pool = pool;
        base = SharedData.require("models/stories260K.gguf");
        adapterA = SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf");
        mergedA = tmp.resolve("stories260K-merged-a.gguf");
        try (LoraAdapter a = LoraAdapter.load(adapterA)) {
            LoraMerger.Result r = LoraMerger.merge(base, List.of(new ScaledLora(a, 1f)), mergedA);
            assertEquals(20, r.mergedTensors());
            assertEquals(28, r.copiedTensors());
        }
    }

    @AfterAll
    static void close() {
        if (pool != null) pool.close();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The whole file, every metadata key (order, type) and every tensor (order, type, ne, offset, bytes) as llama-export-lora wrote them. */
    @Test
    void mergedFileIsBitExact() throws Exception {
        JsonNode want = new ObjectMapper().readTree(SharedData.require(LoraOracle.DIR + "merged-a.tensor-sha256.json").toFile());
        try (GgufFile f = GgufFile.open(mergedA)) {
            List<String> keys = new ArrayList<>(f.metadata().keys());
            List<String> wantKeys = new ArrayList<>();
            for (JsonNode kv : want.get("kv")) wantKeys.add(kv.get("key").asText());
            assertEquals(wantKeys, keys);
            assertEquals(1L, f.metadata().getLong("general.file_type"));
            JsonNode tensors = want.get("tensors");
            assertEquals(tensors.size(), f.tensors().size());
            int merged = 0;
            for (int i = 0; i < tensors.size(); i++) {
                JsonNode wt = tensors.get(i);
                TensorInfo t = f.tensors().get(i);
                assertEquals(wt.get("name").asText(), t.name());
                assertEquals(wt.get("type").asText(), t.type().ggmlName().toUpperCase(Locale.ROOT));
                assertEquals(wt.get("offset_in_file").asLong(), f.dataOffset() + t.offset(), t.name());
                assertEquals(wt.get("n_bytes").asLong(), t.byteSize(), t.name());
                byte[] bytes = f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertEquals(wt.get("sha256").asText(), sha256(bytes), t.name() + (wt.get("merged").asBoolean() ? " (merged)" : ""));
                if (wt.get("merged").asBoolean()) merged++;
            }
            assertEquals(20, merged);
        }
        assertEquals(want.get("size_bytes").asLong(), Files.size(mergedA));
        assertEquals(want.get("sha256").asText(), sha256(Files.readAllBytes(mergedA)));
    }

    /** The merged model against its all-F32 oracle, and against the adapter applied at run time: same greedy output. */
    @Test
    void mergedModelMatchesTheAdapterRun() throws Exception {
        LoraOracle mergedOracle = LoraOracle.read("merged-a", true);
        LoraOracle adapterOracle = LoraOracle.read("lora-a.s1", true);
        assertArrayEquals(adapterOracle.generated(), mergedOracle.generated());
        try (Model merged = Model.open(mergedA); Model plain = Model.open(base); LoraAdapter a = LoraAdapter.load(adapterA)) {
            float[] m = LoraOracleTest.teacherForce(merged, null, mergedOracle);
            double errOracle = LoraOracleTest.maxAbsDiff(m, mergedOracle.logits());
            LoraSet set = LoraSet.bind(plain, List.of(new ScaledLora(a, 1f)));
            double errAdapter = LoraOracleTest.maxAbsDiff(m, LoraOracleTest.teacherForce(plain, set, mergedOracle));
            System.out.printf(Locale.ROOT, "merged-a: max |logit error| vs oracle %.3g, vs run-time adapter %.3g%n", errOracle, errAdapter);
            assertTrue(errOracle < 1e-4, "vs merged oracle: " + errOracle);
            assertTrue(errAdapter < 1e-4, "vs adapter run: " + errAdapter);
            int[] mergedTokens, adapterTokens;
            try (InferenceContext ctx = LoraOracleTest.context(merged, null)) {
                mergedTokens = Greedy.generate(ctx, mergedOracle.prompt(), 48);
            }
            try (InferenceContext ctx = LoraOracleTest.context(plain, set)) {
                adapterTokens = Greedy.generate(ctx, mergedOracle.prompt(), 48);
            }
            assertArrayEquals(mergedOracle.generated(), mergedTokens);
            assertArrayEquals(mergedTokens, adapterTokens);
        }
    }

    /** Merging (b) and then (a) in one call gives the tokens of the (a)+(b) run. */
    @Test
    void twoAdaptersMergeLikeTheyRunTogether() throws Exception {
        Path out = tmp.resolve("merged-ab.gguf");
        LoraOracle ab = LoraOracle.read("lora-a+b.s1", true);
        try (LoraAdapter a = LoraAdapter.load(adapterA);
             LoraAdapter b = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-b.f32.gguf"))) {
            LoraMerger.Result r = LoraMerger.merge(base, List.of(new ScaledLora(a, 1f), new ScaledLora(b, 1f)), out);
            assertEquals(35, r.mergedTensors());
        }
        try (Model merged = Model.open(out); InferenceContext ctx = LoraOracleTest.context(merged, null)) {
            assertArrayEquals(ab.generated(), Greedy.generate(ctx, ab.prompt(), 48));
            double err = LoraOracleTest.maxAbsDiff(LoraOracleTest.teacherForce(merged, null, ab), ab.logits());
            System.out.printf(Locale.ROOT, "merged a+b vs lora-a+b.s1 oracle: %.3g%n", err);
            assertTrue(err < 1e-4, "" + err);
        }
    }

    @Test
    void quantizedAdaptersAreRefusedAndNothingIsWritten() throws Exception {
        Path out = tmp.resolve("never.gguf");
        try (LoraAdapter q = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-a.q8_0.gguf"))) {
            LoraException e = assertThrows(LoraException.class, () -> LoraMerger.merge(base, List.of(new ScaledLora(q, 1f)), out));
            assertTrue(e.getMessage().contains("quantized LoRA adapters is not supported, please retry with f16 or f32"), e.getMessage());
        }
        try (LoraAdapter bad = LoraAdapter.load(SharedData.require(LoraEdgeTest.EDGE + "invalid-wrong-n-in.gguf"))) {
            assertThrows(LoraException.class, () -> LoraMerger.merge(base, List.of(new ScaledLora(bad, 1f)), out));
        }
        assertFalse(Files.exists(out));
    }

    /**
     * --quantize: merged, then quantized through ModelQuantizer (F16 here: stories260K's 172-wide ffn_down has no
     * Q8_0 form, which must be a typed error that leaves nothing behind); it loads and still tells the adapter's story.
     */
    @Test
    void mergeThenQuantize() throws Exception {
        Path out = tmp.resolve("merged-a-f16.gguf");
        Path q8 = tmp.resolve("merged-a-q8_0.gguf");
        try (LoraAdapter a = LoraAdapter.load(adapterA)) {
            LoraMerger.mergeAndQuantize(base, List.of(new ScaledLora(a, 1f)), out, FileType.F16, 2);
            assertThrows(io.mbllm.gguf.mix.QuantizeException.class,
                    () -> LoraMerger.mergeAndQuantize(base, List.of(new ScaledLora(a, 1f)), q8, FileType.Q8_0, 2));
        }
        assertFalse(Files.exists(q8));
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(1L, f.metadata().getLong("general.file_type"));
            assertEquals(GgmlType.F16, f.tensor("blk.0.attn_q.weight").type());
        }
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "temporary merge removed");
        }
        LoraOracle o = LoraOracle.read("lora-a.s1", true);
        try (Model m = Model.open(out); InferenceContext ctx = LoraOracleTest.context(m, null)) {
            assertArrayEquals(o.generated(), Greedy.generate(ctx, o.prompt(), 48));
        }
    }
}
