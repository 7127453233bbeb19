package io.mbllm.engine.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * Perplexity and KL divergence of the F32 stories260K model over {@code testdata/text/stories.txt} against
 * llama.cpp's recorded figures and base files ({@code testdata/llamacpp-oracle/perplexity.json},
 * {@code stories260K.kld-base.c128.bin}, {@code .c64.bin}).
 *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class Stories260KEvalTest {
    static final String ORACLE = "testdata/llamacpp-oracle/";

    static Parallel pool;
    static Model model;
    static Tokenizer tokenizer;
    static JsonNode json;
    static int[] tokens;

    @BeforeAll
    static void load() throws Exception {
        Path gguf = SharedData.require("models/stories260K.gguf");
        Path text = SharedData.require("testdata/text/stories.txt");
        json = new ObjectMapper().readTree(SharedData.require(ORACLE + "perplexity.json").toFile());
        pool = new Parallel(2);
        model = Model.open(gguf);
        tokenizer = Tokenizers.fromGguf(((GgufModelSource) model.source()).file().metadata());
        tokens = Perplexity.tokenizeText(tokenizer, Files.readString(text, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
        if (pool != null) pool.close();
    }

    static InferenceContext context(int n) {
        return model.newContext(ContextOptions.of(n).withMaxBatch(n).withParallel(pool));
    }

    static JsonNode results(int c) {
        return json.get("results").get("ctx" + c);
    }

    static JsonNode f32(int c) {
        return results(c).get("models").get("F32");
    }

    @Test
    void textTokenizesAsLlamaPerplexityDoes() {
        JsonNode t = json.get("tokenization");
        int[] want = new int[t.get("n_tokens").asInt()];
        for (int i = 0; i < want.length; i++) want[i] = t.get("token_ids").get(i).asInt();
        assertEquals(1249, want.length);
        assertArrayEquals(want, tokens);
        assertEquals(1, Perplexity.chunkStartToken(tokenizer));
    }

    @Test
    void exactlyOneTrailingNewlineIsDropped() {
        int[] noNewline = Perplexity.tokenizeText(tokenizer, "Once upon a time");
        assertArrayEquals(noNewline, Perplexity.tokenizeText(tokenizer, "Once upon a time\n"));
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, noNewline, "BOS added");
        int[] two = Perplexity.tokenizeText(tokenizer, "Once upon a time\n\n");
        assertEquals(noNewline.length + 1, two.length);
        assertEquals(13, two[two.length - 1], "the second newline stays");
        int[] eosText = Perplexity.tokenizeText(tokenizer, "</s>");
        assertTrue(eosText.length > 2, "special-token text is not parsed: " + Arrays.toString(eosText));
        for (int i = 1; i < eosText.length; i++) assertTrue(eosText[i] != 2, Arrays.toString(eosText));
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 64})
    void perplexityMatchesLlamaCpp(int c) throws Exception {
        JsonNode r = results(c);
        double[] seen = new double[r.get("n_chunks").asInt() + 1];
        PerplexityResult res;
        try (InferenceContext ctx = context(c)) {
            res = Perplexity.compute(ctx, tokens, c, Perplexity.chunkStartToken(tokenizer), null,
                    (k, n, ppl) -> seen[k] = ppl);
        }
        System.out.printf("C=%d: PPL %.5f ± %.5f (llama.cpp %s, float64 %s)%n", c, res.ppl(), res.pplError(),
                f32(c).get("ppl_printed").asText(), json.get("independent_check").get("numpy_f64").get("ctx" + c).asText());
        assertEquals(r.get("n_chunks").asInt(), res.chunks());
        assertEquals(r.get("tokens_scored").asInt(), res.tokensScored());
        assertEquals(c == 128 ? 9 : 19, res.chunks());
        assertEquals(c == 128 ? 567 : 589, res.tokensScored());
        double llama = f32(c).get("ppl").asDouble();
        assertEquals(llama, res.ppl(), 0.01 * llama, "within 1% of llama.cpp");
        // F32 attention: the float64 reference (= llama.cpp with -fa off, F32 K/V) to its 4 printed digits
        double f64 = c == 128 ? 4.9717 : 5.1540;
        assertEquals(f64, res.ppl(), 0.00006, "float64 forward pass");
        double f64Pm = c == 128 ? 0.37660 : 0.38963;
        assertEquals(f64Pm, res.pplError(), 0.000006, "the ±");
        JsonNode running = f32(c).get("ppl_cumulative_per_chunk");
        for (int k = 0; k < res.chunks(); k++) {
            // llama.cpp's figures come from its F16-K/V flash-attention path: equal to about 2e-4 relative
            double want = running.get(k).asDouble();
            assertEquals(want, res.runningPpl()[k], 3e-4 * want, "[" + (k + 1) + "]");
            assertEquals(res.runningPpl()[k], seen[k + 1], 0.0, "listener");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 64})
    void readsLlamaCppBaseFile(int c) throws Exception {
        Path file = SharedData.require(ORACLE + "stories260K.kld-base.c" + c + ".bin");
        try (LogitsBaseFile.Reader base = LogitsBaseFile.open(file)) {
            LogitsBaseFile.Header h = base.header();
            assertEquals(new LogitsBaseFile.Header(c, 512, c == 128 ? 9 : 19), h);
            assertEquals(json.get("kld_base_files").get(file.getFileName().toString()).get("size_bytes").asLong(), h.fileBytes());
            assertEquals(c == 128 ? 589_772 : 612_732, Files.size(file));
            assertArrayEquals(Arrays.copyOf(tokens, c * h.chunks()), base.tokens(), "the original text tokens, BOS not written in");
            // the NLLs of the stored 16-bit log-probs reproduce llama.cpp's "Mean PPL(base)" to its 6 digits
            short[] recs = new short[h.scoredPerChunk() * h.recordValues()];
            double sum = 0;
            int n = 0;
            for (int k = 0; k < h.chunks(); k++) {
                base.readChunk(k, recs);
                for (int i = 0; i < h.scoredPerChunk(); i++) {
                    int target = tokens[k * c + c / 2 + i + 1];
                    sum -= LogitsBaseFile.logProb(recs, i * h.recordValues(), target);
                    n++;
                }
            }
            double pplBase = Math.exp(sum / n);
            assertEquals(f32(c).get("kld_vs_own_base").get("mean_ppl_base").asDouble(), pplBase, 0.0000005);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 64})
    void klDivergenceAgainstLlamaCppBase(int c) throws Exception {
        Path file = SharedData.require(ORACLE + "stories260K.kld-base.c" + c + ".bin");
        KldResult r;
        int[] chunksSeen = {0};
        try (LogitsBaseFile.Reader base = LogitsBaseFile.open(file); InferenceContext ctx = context(c)) {
            r = KlDivergence.compute(ctx, base, Perplexity.chunkStartToken(tokenizer), (k, n, run) -> {
                chunksSeen[0] = k;
                assertEquals(k * base.header().scoredPerChunk(), run.count());
            });
        }
        System.out.printf("C=%d vs llama.cpp base: mean KLD %.7f ± %.7f, max %.6f, same top %.3f%%, PPL ratio %.6f%n",
                c, r.kld().value(), r.kld().error(), r.kldValues().max(), 100 * r.sameTop().value(), r.pplRatio().value());
        JsonNode own = f32(c).get("kld_vs_own_base");
        assertEquals(results(c).get("tokens_scored").asInt(), r.count());
        assertEquals(results(c).get("n_chunks").asInt(), chunksSeen[0]);
        assertTrue(Math.abs(r.kld().value()) < 1e-4, "mean KLD " + r.kld().value());
        assertTrue(r.kldValues().max() < 1e-3 && r.kldValues().min() > -1e-4, r.kldValues().toString());
        assertEquals(1.0, r.sameTop().value(), 0.0, "same top-1");
        assertEquals(own.get("mean_ppl_base").asDouble(), r.pplBase().value(), 0.0000005);
        assertEquals(c == 128 ? 4.9717 : 5.1540, r.pplQ().value(), 0.00006);
        assertEquals(1.0, r.pplRatio().value(), 2e-4);
        assertEquals(100.0, 100 * r.corLnPpl(), 0.01);
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 64})
    void writesTheBaseFileLlamaCppWrites(int c, @TempDir Path tmp) throws Exception {
        Path theirs = SharedData.require(ORACLE + "stories260K.kld-base.c" + c + ".bin");
        Path ours = tmp.resolve("ours.bin");
        Perplexity.Plan plan = Perplexity.plan(tokens.length, c);
        PerplexityResult res;
        try (InferenceContext ctx = context(c);
             LogitsBaseFile.Writer w = LogitsBaseFile.create(ours,
                     new LogitsBaseFile.Header(c, model.config().vocabSize(), plan.chunks()), tokens)) {
            res = Perplexity.compute(ctx, tokens, c, Perplexity.chunkStartToken(tokenizer), w, null);
            w.finish();
        }
        assertEquals(c == 128 ? 4.9717 : 5.1540, res.ppl(), 0.00006, "saving a base prints the same PPL");
        byte[] a = Files.readAllBytes(ours), b = Files.readAllBytes(theirs);
        assertEquals(b.length, a.length, "file size");
        int fixed = LogitsBaseFile.HEADER_BYTES + 4 * c * plan.chunks();
        assertArrayEquals(Arrays.copyOf(b, fixed), Arrays.copyOf(a, fixed), "header and tokens byte for byte");

        // log-probs: equal within the 16-bit step plus the logit difference of the two forward passes
        double maxDiff = 0, maxDiffLikely = 0, maxStep = 0;
        long differingCodes = 0, codes = 0;
        try (LogitsBaseFile.Reader ra = LogitsBaseFile.open(ours); LogitsBaseFile.Reader rb = LogitsBaseFile.open(theirs)) {
            LogitsBaseFile.Header h = ra.header();
            int rv = h.recordValues();
            short[] x = new short[h.scoredPerChunk() * rv], y = new short[x.length];
            for (int k = 0; k < h.chunks(); k++) {
                ra.readChunk(k, x);
                rb.readChunk(k, y);
                for (int i = 0; i < h.scoredPerChunk(); i++) {
                    int o = i * rv;
                    maxStep = Math.max(maxStep, LogitsBaseFile.scale(y, o));
                    float clamp = Math.max(LogitsBaseFile.minLogProb(x, o), LogitsBaseFile.minLogProb(y, o));
                    for (int t = 0; t < h.vocabSize(); t++) {
                        float la = Math.max(LogitsBaseFile.logProb(x, o, t), clamp);
                        float lb = Math.max(LogitsBaseFile.logProb(y, o, t), clamp);
                        maxDiff = Math.max(maxDiff, Math.abs(la - lb));
                        if (lb > -2) maxDiffLikely = Math.max(maxDiffLikely, Math.abs(la - lb));
                        codes++;
                        if (x[o + 4 + t] != y[o + 4 + t]) differingCodes++;
                    }
                }
            }
        }
        System.out.printf("C=%d our base vs llama.cpp's: max |Δ log p| %.6f (%.6f where log p > -2; 16-bit step %.6f), "
                + "%d of %d codes differ%n", c, maxDiff, maxDiffLikely, maxStep, differingCodes, codes);
        // llama.cpp keeps K/V in F16 behind flash attention, the engine F32: logits differ by up to about 0.01
        // (Stories260KTest measures 0.0094 on the top-5), so a log p by up to twice that; the codec itself is
        // checked exactly by reencodesLlamaCppRecords
        assertTrue(maxDiffLikely < 0.02, "max |Δ log p| where log p > -2: " + maxDiffLikely);
        assertTrue(maxDiff < 0.05, "max |Δ log p| " + maxDiff);

        // and llama.cpp's definition applied to our own base: the F32 model against itself
        try (LogitsBaseFile.Reader base = LogitsBaseFile.open(ours); InferenceContext ctx = context(c)) {
            KldResult r = KlDivergence.compute(ctx, base, Perplexity.chunkStartToken(tokenizer), null);
            assertTrue(Math.abs(r.kld().value()) < 1e-5, "self KLD (llama.cpp: 0.000000 ± 0.000001) " + r.kld().value());
            assertTrue(r.kldValues().max() < 1e-4 && r.kldValues().min() > -1e-4, r.kldValues().toString());
            assertEquals(1.0, r.sameTop().value(), 0.0);
            assertEquals(1.0, r.pplRatio().value(), 1e-5);
        }
    }

    /**
     * The codec against llama.cpp's own records: decoding a record and encoding the log-probabilities again
     * (log-softmax is shift-invariant, so they act as logits) gives back its codes within one 16-bit step, and its
     * scale and offset to float rounding.
     */
    @ParameterizedTest
    @ValueSource(ints = {128, 64})
    void reencodesLlamaCppRecords(int c) throws Exception {
        Path file = SharedData.require(ORACLE + "stories260K.kld-base.c" + c + ".bin");
        try (LogitsBaseFile.Reader base = LogitsBaseFile.open(file)) {
            LogitsBaseFile.Header h = base.header();
            int rv = h.recordValues(), nVocab = h.vocabSize();
            short[] recs = new short[h.scoredPerChunk() * rv], again = new short[rv];
            float[] lp = new float[nVocab];
            long same = 0, total = 0;
            int maxCodeDiff = 0;
            for (int k = 0; k < h.chunks(); k++) {
                base.readChunk(k, recs);
                for (int i = 0; i < h.scoredPerChunk(); i++) {
                    int o = i * rv;
                    for (int t = 0; t < nVocab; t++) lp[t] = LogitsBaseFile.logProb(recs, o, t);
                    int target = tokens[k * c + c / 2 + i + 1];
                    double nll = LogitsBaseFile.encode(lp, 0, nVocab, target, again, 0);
                    assertEquals(LogitsBaseFile.scale(recs, o), LogitsBaseFile.scale(again, 0), 1e-6 * LogitsBaseFile.scale(recs, o));
                    assertEquals(LogitsBaseFile.minLogProb(recs, o), LogitsBaseFile.minLogProb(again, 0), 2e-3);
                    assertEquals(-LogitsBaseFile.logProb(recs, o, target), nll, 2e-3);
                    for (int t = 0; t < nVocab; t++) {
                        int d = Math.abs(Short.toUnsignedInt(recs[o + 4 + t]) - Short.toUnsignedInt(again[4 + t]));
                        maxCodeDiff = Math.max(maxCodeDiff, d);
                        if (d == 0) same++;
                        total++;
                    }
                }
            }
            System.out.printf("C=%d re-encoded llama.cpp records: %d of %d codes identical, max code difference %d%n",
                    c, same, total, maxCodeDiff);
            assertTrue(maxCodeDiff <= 1, "max code difference " + maxCodeDiff);
            assertTrue(same > 0.99 * total, same + " of " + total);
        }
    }
}
