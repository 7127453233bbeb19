package io.mbllm.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.sample.SamplingOptions;

class GeneratorTest {
    /** Vocabulary a..h; token 7 ('h') is end of generation. */
    static final String LETTERS = "abcdefgh";
    static final int EOG = 7;

    /**
     * A fake model: the logits after token t favour t+1 (mod 8), unless a fixed table of random logits is given.
     * Counts evaluated tokens and checks that it is never asked past its context.
     */
    static final class FakeModel implements LogitSource {
        final int ctx;
        final float[][] table;
        final List<Integer> tokens = new ArrayList<>();
        int evaluated, batches;
        final float[] logits = new float[8];

        FakeModel(int ctx, float[][] table) {
            this.ctx = ctx;
            this.table = table;
        }

        @Override public int vocabSize() { return 8; }
        @Override public int contextLength() { return ctx; }
        @Override public int position() { return tokens.size(); }

        @Override
        public void rewind(int p) {
            assertTrue(p >= 0 && p <= tokens.size());
            while (tokens.size() > p) tokens.removeLast();
        }

        @Override
        public float[] evaluate(int[] t, int from, int count) {
            assertTrue(count >= 1 && tokens.size() + count <= ctx, "asked past the context");
            batches++;
            for (int i = from; i < from + count; i++) tokens.add(t[i]);
            evaluated += count;
            int last = t[from + count - 1];
            if (table != null) {
                System.arraycopy(table[last], 0, logits, 0, 8);
            } else {
                java.util.Arrays.fill(logits, 0f);
                logits[(last + 1) % 8] = 10f;
            }
            return logits;
        }

        @Override
        public float[] step(int token) {
            return evaluate(new int[] {token}, 0, 1);
        }
    }

    static final class LetterDecoder implements TokenDecoder {
        @Override public String decode(int token) { return String.valueOf(LETTERS.charAt(token)); }
        @Override public String flush() { return ""; }
    }

    static SamplingOptions greedy(Object... kv) {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("temperature", 0));
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return SamplingOptions.DEFAULTS.with(m);
    }

    record Run(String text, List<String> pieces, GenerationStats stats) {}

    static Run run(Generator g, int[] prompt, SamplingOptions o) throws GenerationException {
        List<String> pieces = new ArrayList<>();
        GenerationStats s = g.generate(prompt, o, true, pieces::add, () -> false);
        return new Run(String.join("", pieces), pieces, s);
    }

    static Generator generator(FakeModel m) {
        return new Generator(m, t -> t == EOG, prompt -> new LetterDecoder());
    }

    @Test
    void runsUntilEndOfGeneration() throws Exception {
        FakeModel m = new FakeModel(64, null);
        Run r = run(generator(m), new int[] {0}, greedy());
        assertEquals("bcdefg", r.text());
        assertEquals(DoneReason.STOP, r.stats().doneReason());
        assertEquals(7, r.stats().evalCount(), "six letters and the end token");
        assertEquals(1, r.stats().promptEvalCount());
        assertEquals(List.of("b", "c", "d", "e", "f", "g"), r.pieces(), "streamed piece by piece");
    }

    @Test
    void numPredictLimitsTokensWithoutAnExtraForwardPass() throws Exception {
        FakeModel m = new FakeModel(64, null);
        Run r = run(generator(m), new int[] {0, 1}, greedy("num_predict", 3));
        assertEquals("cde", r.text());
        assertEquals(DoneReason.LENGTH, r.stats().doneReason());
        assertEquals(3, r.stats().evalCount());
        assertEquals(2 + 2, m.evaluated, "prompt + two steps (the last token is not fed back)");
        assertEquals(1 + 2, m.batches, "the prompt went in as one batch");
        assertEquals("", run(generator(new FakeModel(64, null)), new int[] {0}, greedy("num_predict", 0)).text());
    }

    @Test
    void stopStringEndsTheTextAndIsNotEmitted() throws Exception {
        Run r = run(generator(new FakeModel(64, null)), new int[] {0}, greedy("stop", List.of("de")));
        assertEquals("bc", r.text());
        assertEquals(DoneReason.STOP, r.stats().doneReason());
        assertEquals(List.of("b", "c"), r.pieces(), "'d' was held back, then dropped");
        assertEquals(4, r.stats().evalCount());
    }

    @Test
    void heldBackPartialStopIsReleasedAtTheEnd() throws Exception {
        Run r = run(generator(new FakeModel(64, null)), new int[] {0}, greedy("stop", List.of("gX")));
        assertEquals("bcdefg", r.text());
        assertEquals(DoneReason.STOP, r.stats().doneReason());
    }

    @Test
    void fullContextEndsWithLength() throws Exception {
        FakeModel m = new FakeModel(5, null);
        Run r = run(generator(m), new int[] {0}, greedy());
        assertEquals("bcdef", r.text(), "tokens at positions 1..4 are fed, the 5th is sampled from the last logits");
        assertEquals(DoneReason.LENGTH, r.stats().doneReason());
        assertEquals(5, m.position());
    }

    @Test
    void promptLongerThanTheContext() throws Exception {
        int[] prompt = {0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4};
        FakeModel m = new FakeModel(8, null);
        Generator g = generator(m);
        PromptTooLongException e = assertThrows(PromptTooLongException.class,
                () -> g.generate(prompt, greedy(), false, s -> {}, () -> false));
        assertEquals("the input length exceeds the context length (12 tokens, num_ctx 8)", e.getMessage());
        assertThrows(PromptTooLongException.class,
                () -> g.generate(prompt, greedy("num_keep", -1), true, s -> {}, () -> false));

        // truncation: num_keep 4 first tokens, then the last (8 - 4) / 2 = 2
        assertArrayEquals(new int[] {0, 1, 2, 3, 3, 4}, Generator.fit(prompt, 8, 4, true));
        assertArrayEquals(new int[] {0, 2, 3, 4}, Generator.fit(prompt, 8, 1, true), "keep 1 (BOS), tail (8-1)/2 = 3");
        assertArrayEquals(new int[] {0, 1, 2, 4}, Generator.fit(prompt, 6, 100, true), "keep capped at half");
        assertArrayEquals(new int[] {4}, Generator.fit(prompt, 1, 4, true));
        assertArrayEquals(prompt, Generator.fit(prompt, 12, 4, false));

        Run r = run(g, prompt, greedy("num_predict", 2));
        assertEquals(6, r.stats().promptTokens());
        assertEquals(6, r.stats().truncatedTokens());
        assertEquals("fg", r.text(), "continues from the kept tail (last token 4)");
    }

    @Test
    void emptyPromptIsAnError() {
        var e = assertThrows(GenerationException.class,
                () -> generator(new FakeModel(8, null)).generate(new int[0], greedy(), true, s -> {}, () -> false));
        assertTrue(e.getMessage().contains("empty prompt"));
    }

    @Test
    void cancellationStopsWithinOneToken() throws Exception {
        FakeModel m = new FakeModel(64, null);
        List<String> pieces = new ArrayList<>();
        GenerationStats s = generator(m).generate(new int[] {0}, greedy(), true, pieces::add, () -> pieces.size() >= 2);
        assertEquals(List.of("b", "c"), pieces);
        assertEquals(DoneReason.CANCELLED, s.doneReason());
        assertEquals(2, s.evalCount());
    }

    @Test
    void aGrowingConversationReusesTheCachedPrefix() throws Exception {
        FakeModel m = new FakeModel(64, null);
        Generator g = generator(m);
        Run first = run(g, new int[] {0, 1, 2}, greedy("num_predict", 2)); // context: 0 1 2 3 (4 sampled, not fed)
        assertEquals("de", first.text());
        assertEquals(3, first.stats().promptEvalCount());
        Run second = run(g, new int[] {0, 1, 2, 3, 4, 5}, greedy("num_predict", 1));
        assertEquals(2, second.stats().promptEvalCount(), "only 4 and 5 are new");
        assertEquals(6, second.stats().promptTokens());
        assertEquals("g", second.text());
        Run same = run(g, new int[] {0, 1, 2, 3, 4, 5}, greedy("num_predict", 1));
        assertEquals(1, same.stats().promptEvalCount(), "the last prompt token is evaluated again for its logits");
        assertEquals("g", same.text());
        Run other = run(g, new int[] {2, 3}, greedy("num_predict", 1));
        assertEquals(2, other.stats().promptEvalCount());
        assertEquals(List.of(2, 3), m.tokens);
        g.reset();
        assertEquals(0, m.position());
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        float[][] table = new float[8][8];
        Random r = new Random(1);
        for (float[] row : table) for (int i = 0; i < 8; i++) row[i] = (float) r.nextGaussian();
        SamplingOptions seeded = SamplingOptions.DEFAULTS.with(Map.of("seed", 1234, "num_predict", 40));
        SamplingOptions other = SamplingOptions.DEFAULTS.with(Map.of("seed", 99, "num_predict", 40));
        String a = run(generator(new FakeModel(64, table)), new int[] {0}, seeded).text();
        String b = run(generator(new FakeModel(64, table)), new int[] {0}, seeded).text();
        String c = run(generator(new FakeModel(64, table)), new int[] {0}, other).text();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(1234, run(generator(new FakeModel(64, table)), new int[] {0}, seeded).stats().seed());
    }

    @Test
    void ratesAreTokensPerSecond() {
        GenerationStats s = new GenerationStats(10, 10, 500_000_000L, 20, 2_000_000_000L, DoneReason.STOP, 0, 1);
        assertEquals(20.0, s.promptEvalRate(), 1e-9);
        assertEquals(10.0, s.evalRate(), 1e-9);
        assertEquals(0.0, new GenerationStats(0, 0, 0, 0, 0, DoneReason.LENGTH, 0, 1).evalRate());
        assertEquals("stop", DoneReason.STOP.wireName());
        assertEquals("length", DoneReason.LENGTH.wireName());
    }
}
