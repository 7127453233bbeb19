package io.mbllm.engine.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * The acceptance test of {@code mbllm compare} (issue 6): stories260K quantized by mbllm to Q8_0, Q4_K_M and Q2_K,
 * compared with the F32 file. The quality figures must order the variants as their precision does, and the
 * perplexities and text-only KL divergences must match llama-perplexity's for the same files
 * ({@code testdata/llamacpp-oracle/perplexity.json}, n_ctx 128).
 *
 * <p>llama-quantize refuses plain Q8_0 for this model (its 172-wide ffn_down rows fit no Q8_0 block, and Q8_0 has no
 * fallback type), and so does mbllm's quantizer; the oracle's Q8_0 file is {@code --tensor-type ffn_down=f16}:
 * Q8_0 everywhere except ffn_down in F16. This test writes that file with mbllm's codecs and checks every
 * tensor's bytes against the oracle's SHA-256.
 */
class ComparisonTest {
    static final String ORACLE = "testdata/llamacpp-oracle/perplexity.json";
    static final String ONCE = "Once upon a time", LILY = "Lily";

    @TempDir
    static Path dir;
    static Parallel pool;
    static JsonNode oracle;
    static Variant f32, q8, q4, q2;
    static String text;

    @BeforeAll
    static void setUp() throws Exception {
        oracle = new ObjectMapper().readTree(SharedData.require(ORACLE).toFile());
        Path src = SharedData.require("models/stories260K.gguf");
        text = Files.readString(SharedData.require("testdata/text/stories.txt"), StandardCharsets.UTF_8);
        pool = new Parallel(2);
        f32 = new Variant("stories:f32", src);
        q8 = new Variant("stories:q8_0", dir.resolve("q8_0.gguf"));
        writeQ8WithF16FfnDown(src, q8.file());
        q4 = new Variant("stories:q4_K_M", dir.resolve("q4_k_m.gguf"));
        q2 = new Variant("stories:q2_K", dir.resolve("q2_k.gguf"));
        ModelQuantizer.quantize(src, q4.file(), QuantizeOptions.of(FileType.Q4_K_M).withThreads(2), ModelQuantizer.ProgressListener.none());
        ModelQuantizer.quantize(src, q2.file(), QuantizeOptions.of(FileType.Q2_K).withThreads(2), ModelQuantizer.ProgressListener.none());
        assertEquals(oracle.at("/files/Q4_K_M/sha256").asText(), sha256(Files.readAllBytes(q4.file())), "llama-quantize's Q4_K_M");
        assertEquals(oracle.at("/files/Q2_K/sha256").asText(), sha256(Files.readAllBytes(q2.file())), "llama-quantize's Q2_K");
    }

    @AfterAll
    static void tearDown() {
        if (pool != null) pool.close();
    }

    /** {@code llama-quantize --tensor-type ffn_down=f16 ... Q8_0}: matrices to Q8_0, ffn_down to F16, vectors kept. */
    static void writeQ8WithF16FfnDown(Path src, Path out) throws Exception {
        try (GgufFile in = GgufFile.open(src)) {
            List<TensorInfo> infos = new ArrayList<>();
            for (TensorInfo t : in.tensors()) {
                GgmlType type = t.nDims() < 2 ? t.type() : t.name().contains("ffn_down") ? GgmlType.F16 : GgmlType.Q8_0;
                infos.add(new TensorInfo(t.name(), t.ne(), type, 0).withGgmlNDims());
            }
            try (GgufWriter w = GgufWriter.builder().metadata(in.metadata()).addTensors(infos).open(out)) {
                for (int i = 0; i < infos.size(); i++) {
                    TensorInfo s = in.tensors().get(i), o = infos.get(i);
                    float[] x = in.tensorData(s).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                    QuantCodec codec = QuantTypes.codec(o.type());
                    int n = (int) s.ne(0);
                    byte[] data = new byte[(int) o.byteSize()];
                    for (int r = 0; r < s.rowCount(); r++) codec.quantizeRow(x, r * n, null, 0, n, data, (int) (r * o.rowBytes()));
                    w.write(data);
                }
                w.finish();
            }
        }
        Map<String, String> want = new java.util.HashMap<>();
        for (JsonNode t : oracle.at("/files/Q8_0-ffn_down-F16/tensors")) want.put(t.get("name").asText(), t.get("sha256").asText());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(want.size(), f.tensors().size());
            for (TensorInfo t : f.tensors()) {
                MemorySegment d = f.tensorData(t);
                assertEquals(want.get(t.name()), sha256(d.toArray(ValueLayout.JAVA_BYTE)), t.name() + " as llama-quantize writes it");
            }
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The oracle's n_ctx 128 summary row of a file (Q2_K: the plain-block-layout figures, as our kernels run). */
    static JsonNode summary(String model) {
        for (JsonNode r : oracle.get("summary")) {
            if (r.get("model").asText().equals(model) && r.get("ctx").asInt() == 128) return r;
        }
        throw new AssertionError("no summary row for " + model);
    }

    static ComparisonResult run(List<String> prompts, int numPredict, String text, List<String> events) throws Exception {
        CompareListener listener = new CompareListener() {
            @Override
            public void loading(String model) {
                events.add("loading " + model);
            }

            @Override
            public void result(VariantResult result) {
                events.add("result " + result.model());
            }
        };
        // listed out of order: the reference is found by bits per weight
        return Comparison.run(List.of(q2, q4, q8, f32), null, new CompareSpec(prompts, numPredict, 42, 128, text),
                new FileVariantLoader(pool, null), listener, () -> false);
    }

    @Test
    void quantizationsOrderAsTheirPrecision() throws Exception {
        List<String> events = new ArrayList<>();
        ComparisonResult r = run(List.of(ONCE, LILY), 60, text, events);
        assertEquals("stories:f32", r.reference());
        assertEquals(List.of("loading stories:f32", "result stories:f32", "loading stories:q2_K", "result stories:q2_K",
                "loading stories:q4_K_M", "result stories:q4_K_M", "loading stories:q8_0", "result stories:q8_0"), events);
        Map<String, VariantResult> by = r.results().stream().collect(Collectors.toMap(VariantResult::model, Function.identity()));
        VariantResult ref = by.get("stories:f32"), v8 = by.get("stories:q8_0"), v4 = by.get("stories:q4_K_M"), v2 = by.get("stories:q2_K");
        for (VariantResult v : List.of(v8, v4, v2)) {
            System.out.printf("%-15s %7d B  %.2f bpw  KLD %.6f  p99 %.6f  top-1 %.4f  PPL %.4f  diverges %s%n", v.model(), v.size(),
                    v.bitsPerWeight(), v.kldMean(), v.kldP99(), v.top1Agreement(), v.perplexity(), v.diverges());
        }

        // the reference: run.c's greedy text, exact self-figures, llama-perplexity's PPL
        String expected = Files.readString(SharedData.require("models/stories260K.expected.once-upon-a-time.n64.txt"), StandardCharsets.UTF_8);
        assertEquals(expected.substring(ONCE.length(), expected.length() - 1), ref.answers().get(0));
        assertTrue(ref.reference());
        assertEquals(32.0, ref.bitsPerWeight(), 0);
        assertEquals(0.0, ref.kldMean());
        assertEquals(1.0, ref.top1Agreement());
        assertNull(ref.divergesAt());

        // sizes: file bytes and bits per weight fall with precision
        assertEquals(Files.size(f32.file()), ref.size());
        assertTrue(ref.size() > v8.size() && v8.size() > v4.size() && v4.size() > v2.size(), "sizes " + r.results());
        assertTrue(ref.bitsPerWeight() > v8.bitsPerWeight() && v8.bitsPerWeight() > v4.bitsPerWeight()
                && v4.bitsPerWeight() > v2.bitsPerWeight());

        // quality: KLD grows and top-1 agreement falls as precision falls
        assertTrue(v8.kldMean() < v4.kldMean() && v4.kldMean() < v2.kldMean(), "KLD Q8_0 < Q4_K_M < Q2_K");
        assertTrue(v8.kldP99() < v4.kldP99() && v4.kldP99() < v2.kldP99(), "KLD p99 Q8_0 < Q4_K_M < Q2_K");
        assertTrue(v8.top1Agreement() >= v4.top1Agreement() && v4.top1Agreement() >= v2.top1Agreement(), "top-1 Q8_0 >= Q4_K_M >= Q2_K");
        assertTrue(v8.kldMean() > 0 && v8.kldMean() < 0.005, "Q8_0 is close: " + v8.kldMean());
        assertTrue(v2.top1Agreement() < 0.95, "Q2_K disagrees somewhere: " + v2.top1Agreement());
        int answerTokens = ref.positions() - 9 * 63;
        assertTrue(answerTokens > 60 && answerTokens <= 120, "two answers of up to 60 tokens: " + answerTokens);
        for (VariantResult v : List.of(v8, v4, v2)) assertEquals(ref.positions(), v.positions(), "same positions compared");

        // perplexity on the text = llama-perplexity's for the same files, n_ctx 128
        assertEquals(summary("F32").get("ppl").asDouble(), ref.perplexity(), 0.01 * ref.perplexity());
        assertEquals(summary("Q8_0-ffn_down-F16").get("ppl").asDouble(), v8.perplexity(), 0.01 * v8.perplexity());
        assertEquals(summary("Q4_K_M").get("ppl").asDouble(), v4.perplexity(), 0.01 * v4.perplexity());
        assertEquals(summary("Q2_K").get("no_repack_ppl").asDouble(), v2.perplexity(), 0.01 * v2.perplexity());

        // divergence: Q2_K's greedy answer to "Once upon a time" parts from F32's; identical answers report none
        assertNotNull(v2.diverges().get(0), "Q2_K: " + v2.answers().get(0));
        assertNotNull(v2.divergesAt());
        for (VariantResult v : List.of(v8, v4, v2)) {
            for (int i = 0; i < 2; i++) {
                assertEquals(v.diverges().get(i) == null, v.answers().get(i).equals(ref.answers().get(i)), v.model() + " prompt " + i);
            }
            assertTrue(v.loadMs() > 0 && v.promptTps() > 0 && v.genTps() > 0, v.model() + " timings");
        }
        assertEquals(v2.divergesAt(), v2.diverges().stream().filter(java.util.Objects::nonNull).min(Integer::compare).orElseThrow());
    }

    /** On the text alone the figures are llama-perplexity's KL divergence statistics of the same files. */
    @Test
    void textOnlyKlDivergenceMatchesLlamaPerplexity() throws Exception {
        ComparisonResult r = run(List.of(), 1, text, new ArrayList<>());
        Map<String, VariantResult> by = r.results().stream().collect(Collectors.toMap(VariantResult::model, Function.identity()));
        // Q8_0's KLD is so small that llama.cpp's F16 K/V cache (ours is F32) is a visible part of it: 8% there
        check(by.get("stories:q8_0"), summary("Q8_0-ffn_down-F16"), "kld_mean", "same_top1_pct", 0.08);
        check(by.get("stories:q4_K_M"), summary("Q4_K_M"), "kld_mean", "same_top1_pct", 0.03);
        check(by.get("stories:q2_K"), summary("Q2_K"), "no_repack_kld_mean", "no_repack_same_top1_pct", 0.03);
        for (VariantResult v : r.results()) {
            assertEquals(567, v.positions(), "9 chunks of 63 scored positions");
            assertTrue(v.answers().isEmpty());
            assertNull(v.divergesAt());
        }
    }

    private static void check(VariantResult v, JsonNode want, String kld, String top, double tolerance) {
        // our base is our own F32 run (not llama.cpp's file), and llama.cpp keeps K/V in F16: see QuantizedStories260KTest
        System.out.printf("%s text only: KLD %.6f (llama-perplexity %.6f), p99 %.6f, same top-1 %.3f%% (%.3f%%)%n", v.model(),
                v.kldMean(), want.get(kld).asDouble(), v.kldP99(), 100 * v.top1Agreement(), want.get(top).asDouble());
        assertEquals(want.get(kld).asDouble(), v.kldMean(), tolerance * want.get(kld).asDouble(), v.model() + " mean KLD");
        assertEquals(want.get(top).asDouble(), 100 * v.top1Agreement(), 1.5, v.model() + " same top-1 %");
        if (want.has("kld_p99") && !kld.startsWith("no_repack")) {
            // a tail percentile of 567 values moves more than the mean
            assertEquals(want.get("kld_p99").asDouble(), v.kldP99(), 3 * tolerance * want.get("kld_p99").asDouble(), v.model() + " KLD p99");
        }
    }

    @Test
    void explicitReferenceAndErrors() throws Exception {
        ComparisonResult r = Comparison.run(List.of(q2, q4), q4, new CompareSpec(List.of(LILY), 8, 0, 64, null),
                new FileVariantLoader(pool, null), CompareListener.NONE, () -> false);
        assertEquals("stories:q4_K_M", r.reference());
        assertEquals(List.of("stories:q4_K_M", "stories:q2_K"), r.results().stream().map(VariantResult::model).toList());
        assertNull(r.results().get(1).perplexity());
        assertEquals(8, r.results().get(1).positions());

        CompareException e = org.junit.jupiter.api.Assertions.assertThrows(CompareException.class, () -> Comparison.run(
                List.of(f32), null, new CompareSpec(List.of("word ".repeat(80)), 4, 0, 64, null), new FileVariantLoader(pool, null),
                CompareListener.NONE, () -> false));
        assertTrue(e.getMessage().contains("the context holds 64"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(CompareException.class, () -> Comparison.run(
                List.of(new Variant("x", dir.resolve("none.gguf"))), null, new CompareSpec(List.of(LILY), 4, 0, 64, null),
                new FileVariantLoader(pool, null), CompareListener.NONE, () -> false));
        assertTrue(e.getMessage().endsWith("none.gguf: no such file"), e.getMessage());
        assertNotEquals(0, Comparison.textContext(1249, 128));
    }
}
