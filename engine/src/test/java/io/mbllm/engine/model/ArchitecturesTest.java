package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.generate.Greedy;
import io.mbllm.kernels.Parallel;

/**
 * Every supported family on a tiny random model: it loads, batch and token-by-token evaluation agree, the
 * logits of every position match an independent double-precision forward pass, and generation runs.
 *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class ArchitecturesTest {
    static final Parallel POOL = new Parallel(2);
    static final int[] PROMPT = {1, 7, 22, 3, 39, 0, 15, 15, 8, 30, 2};

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("llama tied", (Supplier<InMemorySource>) () -> Synthetic.llama(true), Architecture.LLAMA),
                Arguments.of("llama untied", (Supplier<InMemorySource>) () -> Synthetic.llama(false), Architecture.LLAMA),
                Arguments.of("qwen2", (Supplier<InMemorySource>) Synthetic::qwen2, Architecture.QWEN2),
                Arguments.of("qwen3", (Supplier<InMemorySource>) Synthetic::qwen3, Architecture.QWEN3),
                Arguments.of("stablelm", (Supplier<InMemorySource>) Synthetic::stablelm, Architecture.STABLELM),
                Arguments.of("phi3", (Supplier<InMemorySource>) Synthetic::phi3, Architecture.PHI3));
    }

    static InferenceContext context(Model m, int maxBatch) {
        return m.newContext(ContextOptions.of(Synthetic.CTX).withMaxBatch(maxBatch).withParallel(POOL));
    }

    static float[] allLogits(Model m, int maxBatch, int[] tokens) throws Exception {
        try (InferenceContext ctx = context(m, maxBatch)) {
            float[] out = new float[tokens.length * Synthetic.VOCAB];
            ctx.evaluateAll(tokens, 0, tokens.length, out);
            assertEquals(tokens.length, ctx.position());
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void loadsWithItsTraits(String name, Supplier<InMemorySource> source, Architecture arch) throws Exception {
        Model m = Model.load(source.get());
        assertEquals(arch, m.config().architecture());
        assertEquals(Synthetic.VOCAB, m.config().vocabSize());
        assertEquals(name.equals("llama tied") || name.equals("qwen2"), m.weights().tiedEmbeddings());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void batchAndIncrementalAgree(String name, Supplier<InMemorySource> source, Architecture arch) throws Exception {
        Model m = Model.load(source.get());
        float[] batch = allLogits(m, 64, PROMPT);
        float[] chunked = allLogits(m, 3, PROMPT);
        try (InferenceContext ctx = context(m, 64)) {
            for (int t = 0; t < PROMPT.length; t++) {
                float[] step = ctx.step(PROMPT[t]);
                for (int i = 0; i < Synthetic.VOCAB; i++) {
                    assertEquals(batch[t * Synthetic.VOCAB + i], step[i], 1e-4, name + " pos " + t + " logit " + i);
                }
            }
        }
        for (int i = 0; i < batch.length; i++) assertEquals(batch[i], chunked[i], 1e-4, name + " chunked " + i);
        // the last-position-only path equals the all-positions path
        try (InferenceContext ctx = context(m, 64)) {
            float[] last = ctx.evaluate(PROMPT);
            for (int i = 0; i < Synthetic.VOCAB; i++) {
                // 1e-5: fast kernels tile tokens, so a different batch size may sum in another order
                assertEquals(batch[(PROMPT.length - 1) * Synthetic.VOCAB + i], last[i], 1e-5);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesNaiveDoublePrecisionForward(String name, Supplier<InMemorySource> source, Architecture arch) throws Exception {
        InMemorySource src = source.get();
        Model m = Model.load(src);
        float[] got = allLogits(m, 4, PROMPT);
        double[][] want = new NaiveForward(src, Synthetic.CTX).logits(PROMPT);
        double maxDiff = 0, maxAbs = 0;
        for (int t = 0; t < PROMPT.length; t++) {
            for (int i = 0; i < Synthetic.VOCAB; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[t * Synthetic.VOCAB + i] - want[t][i]));
                maxAbs = Math.max(maxAbs, Math.abs(want[t][i]));
            }
        }
        assertTrue(maxAbs > 0.5, name + ": logits too flat to test anything: " + maxAbs);
        assertTrue(maxDiff < 1e-4 * Math.max(1, maxAbs), name + ": max |Δlogit| " + maxDiff + " (max |logit| " + maxAbs + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void generatesUntilTheContextIsFull(String name, Supplier<InMemorySource> source, Architecture arch) throws Exception {
        Model m = Model.load(source.get());
        int steps = Synthetic.CTX - PROMPT.length;
        try (InferenceContext ctx = context(m, 8)) {
            int[] out = Greedy.generate(ctx, PROMPT, steps);
            assertEquals(steps, out.length);
            for (int id : out) assertTrue(id >= 0 && id < Synthetic.VOCAB);
            assertEquals(Synthetic.CTX - 1, ctx.position()); // the last generated token is not fed back
            ctx.step(out[steps - 1]);
            ContextOverflowException e = assertThrows(ContextOverflowException.class, () -> ctx.step(0));
            assertEquals(Synthetic.CTX, e.contextLength());
            assertEquals(Synthetic.CTX, ctx.position());
            // rewinding frees room; the same continuation comes back
            ctx.rewind(PROMPT.length);
            float[] again = ctx.step(out[0]);
            assertEquals(out[1], Greedy.argmax(again));
        }
    }

    /** Negative control: reading a NEOX family as NORM-rope llama changes the logits, and the test sees it. */
    @Test
    void wrongRopeTypeIsDetected() throws Exception {
        InMemorySource src = Synthetic.qwen3();
        src.str("general.architecture", "llama");
        for (String k : src.meta.keySet().toArray(String[]::new)) {
            if (k.startsWith("qwen3.")) src.meta.put("llama." + k.substring(6), src.meta.remove(k));
        }
        src.u32("llama.rope.dimension_count", 16);
        Model asLlama = Model.load(src); // llama ignores the q/k norms
        float[] got = allLogits(asLlama, 4, PROMPT);
        double[][] want = new NaiveForward(Synthetic.qwen3(), Synthetic.CTX).logits(PROMPT);
        double maxDiff = 0;
        for (int t = 0; t < PROMPT.length; t++) {
            for (int i = 0; i < Synthetic.VOCAB; i++) maxDiff = Math.max(maxDiff, Math.abs(got[t * Synthetic.VOCAB + i] - want[t][i]));
        }
        assertTrue(maxDiff > 0.01, "a different graph must give different logits: " + maxDiff);
    }

    @Test
    void tiedOutputReusesTheEmbedding() throws Exception {
        Model m = Model.load(Synthetic.llama(true));
        assertSame(m.weights().tokenEmbedding(), m.weights().output());
        assertFalse(Model.load(Synthetic.llama(false)).weights().tiedEmbeddings());
    }

    @Test
    void stablelmRequiresItsOutputMatrix() {
        InMemorySource src = Synthetic.stablelm().remove("output.weight");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(src));
        assertTrue(e.getMessage().contains("'output.weight' is missing"), e.getMessage());
    }

    @Test
    void kvCacheMemoryIsStated() throws Exception {
        Model m = Model.load(Synthetic.qwen2());
        try (InferenceContext ctx = context(m, 8)) {
            // 2 layers × 64 positions × (16 + 16) floats × 4 bytes
            assertEquals(2L * 64 * (16 + 16) * 4, ctx.kvCacheBytes());
            assertEquals(ctx.kvCacheBytes(), KvCache.bytesFor(m.config(), 64));
        }
    }

    @Test
    void contextTooLargeForTheHeapIsRefusedUpFront() throws Exception {
        Model m = Model.load(Synthetic.llama(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.newContext(ContextOptions.of(Integer.MAX_VALUE / 4).withMaxBatch(1).withParallel(POOL)));
        assertTrue(e.getMessage().contains("KV cache"), e.getMessage());
    }

    @Test
    void badTokensAndEmptyInputAreRejectedWithoutSideEffects() throws Exception {
        Model m = Model.load(Synthetic.llama(true));
        try (InferenceContext ctx = context(m, 8)) {
            ctx.evaluate(new int[] {1, 2});
            assertThrows(IllegalArgumentException.class, () -> ctx.step(Synthetic.VOCAB));
            assertThrows(IllegalArgumentException.class, () -> ctx.step(-1));
            assertThrows(IllegalArgumentException.class, () -> ctx.evaluate(new int[0]));
            assertEquals(2, ctx.position());
            ContextOverflowException e = assertThrows(ContextOverflowException.class,
                    () -> ctx.evaluate(new int[Synthetic.CTX - 1]));
            assertEquals(2, e.position());
            assertEquals(2, ctx.position());
        }
    }

    @Test
    void promptLongerThanTheBatchGoesInChunks() throws Exception {
        Model m = Model.load(Synthetic.phi3());
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 7 + 3) % Synthetic.VOCAB;
        float[] a, b;
        try (InferenceContext ctx = context(m, 64)) {
            a = ctx.evaluate(prompt).clone();
        }
        try (InferenceContext ctx = context(m, 5)) {
            b = ctx.evaluate(prompt).clone();
        }
        assertArrayEquals(a, b, 1e-4f);
    }
}
