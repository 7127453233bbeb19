package io.mbllm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.MetaValue;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/** Every file of {@code lora-oracle/edge/} refused or accepted as {@code edge/expected.json} says, and the rules behind them. *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class LoraEdgeTest {
    static final String EDGE = LoraOracle.DIR + "edge/";
    static Parallel pool;
    static GgufModelSource baseSource;
    static Model model;
    static LoraOracle a1;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        pool = new Parallel(2);
        baseSource = GgufModelSource.open(SharedData.require("models/stories260K.gguf"));
        model = Model.load(baseSource);
        a1 = LoraOracle.read("lora-a.s1", true);
        LoraOracleTest.pool = pool;
    }

    @AfterAll
    static void close() {
        if (baseSource != null) baseSource.close();
        if (pool != null) pool.close();
    }

    /** Loads and binds (the two steps llama.cpp does in {@code llama_adapter_lora_init}). */
    static void loadAndBind(Model m, Path file, float scale) throws Exception {
        try (LoraAdapter a = LoraAdapter.load(file)) {
            LoraSet.bind(m, List.of(new ScaledLora(a, scale)));
        }
    }

    @Test
    void everyEdgeFileBehavesAsExpected() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(SharedData.require(EDGE + "expected.json").toFile());
        int refused = 0, accepted = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            var e = it.next();
            Path file = SharedData.require(EDGE + e.getKey());
            if (e.getValue().get("loads").asBoolean()) {
                loadAndBind(model, file, 1f);
                accepted++;
            } else {
                String want = e.getValue().get("llama_cpp_error").asText().strip();
                LoraException ex = assertThrows(LoraException.class, () -> loadAndBind(model, file, 1f), e.getKey());
                assertTrue(ex.getMessage().strip().endsWith(want), e.getKey() + ": got '" + ex.getMessage() + "', want '" + want + "'");
                assertTrue(ex.getMessage().startsWith(file.toString()), "names the file: " + ex.getMessage());
                refused++;
            }
        }
        assertEquals(10, refused);
        assertEquals(5, accepted);
    }

    float[] logits(String edgeFile, float scale) throws Exception {
        try (LoraAdapter a = LoraAdapter.load(SharedData.require(EDGE + edgeFile))) {
            return LoraOracleTest.teacherForce(model, LoraSet.bind(model, List.of(new ScaledLora(a, scale))), a1);
        }
    }

    float[] adapterA(float scale) throws Exception {
        try (LoraAdapter a = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf"))) {
            return LoraOracleTest.teacherForce(model, LoraSet.bind(model, List.of(new ScaledLora(a, scale))), a1);
        }
    }

    /** No alpha or alpha 0: scale = user scale (so 2.0 equals (a) at 1.0 and 1.0 equals (a) at 0.5), bit for bit. */
    @Test
    void missingOrZeroAlphaMeansScaleIsTheUserScale() throws Exception {
        float[] a10 = adapterA(1f), a05 = adapterA(0.5f);
        assertArrayEquals(a10, logits("valid-lora-a-no-alpha.f32.gguf", 2f));
        assertArrayEquals(a05, logits("valid-lora-a-no-alpha.f32.gguf", 1f));
        assertArrayEquals(a10, logits("valid-lora-a-alpha0.f32.gguf", 2f));
        assertFalse(java.util.Arrays.equals(a10, a05));
        try (LoraAdapter a = LoraAdapter.load(SharedData.require(EDGE + "valid-lora-a-no-alpha.f32.gguf"))) {
            assertEquals(0f, a.alpha());
            assertEquals(3f, a.scale(3f, 4));
        }
    }

    /** A {@code *_norm.weight} tensor is skipped (40 of 41 tensors used); reversed tensor order changes nothing. */
    @Test
    void extraNormIsSkippedAndOrderDoesNotMatter() throws Exception {
        float[] a10 = adapterA(1f);
        assertArrayEquals(a10, logits("valid-lora-a-extra-norm.f32.gguf", 1f));
        assertArrayEquals(a10, logits("valid-lora-a-reversed-order.f32.gguf", 1f));
        try (LoraAdapter a = LoraAdapter.load(SharedData.require(EDGE + "valid-lora-a-extra-norm.f32.gguf"))) {
            assertEquals(1, a.skippedTensors());
            assertEquals(20, a.pairs().size());
            assertEquals(41, a.file().tensors().size());
        }
    }

    /** User scale 0 leaves the adapter out: bit-identical to the base model. */
    @Test
    void scaleZeroIsTheBaseModel() throws Exception {
        float[] base = LoraOracleTest.teacherForce(model, null, a1);
        assertArrayEquals(base, adapterA(0f));
        assertFalse(java.util.Arrays.equals(base, adapterA(1f)));
    }

    /** llama.cpp aborts when alpha is not FLOAT32; mbllm refuses the file with a clear error. */
    @Test
    void alphaOfAnotherTypeIsAnError() throws Exception {
        Path bad = rewrite(SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf"), tmp.resolve("u32-alpha.gguf"),
                b -> b.put("adapter.lora.alpha", GgufValue.u32(8)));
        LoraException e = assertThrows(LoraException.class, () -> LoraAdapter.load(bad).close());
        assertTrue(e.getMessage().contains("adapter.lora.alpha must be FLOAT32, got UINT32"), e.getMessage());
    }

    /**
     * On a model without {@code output.weight} (tied embeddings) llama.cpp applies a token_embd adapter to the LM
     * head too and aborts; mbllm refuses it at bind time. Other adapters still work on the tied model.
     */
    @Test
    void tokenEmbdAdapterOnATiedModelIsRefused() throws Exception {
        ModelSource tied = new ModelSource() {
            @Override public Optional<MetaValue> meta(String key) { return baseSource.meta(key); }
            @Override public Optional<Tensor> tensor(String name) {
                return name.equals("output.weight") ? Optional.empty() : baseSource.tensor(name);
            }
            @Override public String describe() { return "stories260K without output.weight"; }
        };
        Model tiedModel = Model.load(tied);
        assertTrue(tiedModel.weights().tiedEmbeddings());
        Path te = SharedData.require(EDGE + "valid-token-embd.f32.gguf");
        LoraException e = assertThrows(LoraException.class, () -> loadAndBind(tiedModel, te, 1f));
        assertTrue(e.getMessage().contains("tied embeddings"), e.getMessage());
        // the same adapter is fine on the untied base; adapter (a) is fine on the tied model
        loadAndBind(model, te, 1f);
        try (LoraAdapter a = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf"))) {
            float[] got = LoraOracleTest.teacherForce(tiedModel, LoraSet.bind(tiedModel, List.of(new ScaledLora(a, 1f))), a1);
            assertTrue(LoraOracleTest.maxAbsDiff(got, a1.logits()) < 1e-4);
        }
    }

    @Test
    void adaptersOfAnotherModelAreRefusedByTheContext() throws Exception {
        try (LoraAdapter a = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf"));
             Model other = Model.open(SharedData.require("models/stories260K.gguf"))) {
            LoraSet set = LoraSet.bind(other, List.of(new ScaledLora(a, 1f)));
            assertThrows(IllegalArgumentException.class, () -> LoraOracleTest.context(model, set));
        }
    }

    @Test
    void specParsing() {
        assertEquals(new LoraSpec(Path.of("a.gguf"), 1f), LoraSpec.parse("a.gguf"));
        assertEquals(new LoraSpec(Path.of("a.gguf"), 0.5f), LoraSpec.parse("a.gguf:0.5"));
        assertEquals(new LoraSpec(Path.of("dir/a.gguf"), -2e-1f), LoraSpec.parse("dir/a.gguf:-2e-1"));
        assertEquals(new LoraSpec(Path.of("c:x.gguf"), 1f), LoraSpec.parse("c:x.gguf"));
        assertEquals(new LoraSpec(Path.of("a.gguf:NaN"), 1f), LoraSpec.parse("a.gguf:NaN"));
        assertThrows(IllegalArgumentException.class, () -> LoraSpec.parse(""));
    }

    /** Copies a GGUF file with edited metadata (same tensors, same bytes). */
    static Path rewrite(Path src, Path dst, UnaryOperator<GgufMetadata.Builder> edit) throws Exception {
        try (GgufFile in = GgufFile.open(src)) {
            List<TensorInfo> infos = new ArrayList<>(in.tensors());
            try (GgufWriter w = GgufWriter.builder().metadata(edit.apply(in.metadata().toBuilder()).build())
                    .addTensors(infos).open(dst)) {
                for (TensorInfo t : infos) w.write(in.tensorData(t));
                w.finish();
            }
        }
        assertTrue(Files.size(dst) > 0);
        return dst;
    }
}
