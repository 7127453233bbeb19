package io.mbllm.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final double EPS = 1e-5;

    /** Every step disabled (temperature 1), then the given overrides. */
    private static SamplingOptions plain(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("temperature", 1.0, "top_k", 0, "top_p", 1.0, "min_p", 0.0,
                "typical_p", 1.0, "repeat_penalty", 1.0, "seed", 1));
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return SamplingOptions.DEFAULTS.with(m);
    }

    private static float[] logitsOfProbs(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) l[i] = (float) Math.log(probs[i]);
        return l;
    }

    private static int[] ids(Candidates c) {
        return Arrays.copyOf(c.id, c.size);
    }

    private static void assertProbs(Candidates c, double... expected) {
        assertEquals(expected.length, c.size, "survivors");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], c.p[i], EPS, "p of survivor " + i);
    }

    private static Candidates filter(SamplingOptions o, float[] logits) {
        return new Sampler(o, logits.length, 4096).filter(logits);
    }

    @Test
    void topKKeepsTheKLargestWithTiesToTheLowerId() {
        Candidates c = filter(plain("top_k", 2), new float[] {1, 3, 2, 3, 0, 3});
        assertArrayEquals(new int[] {1, 3}, ids(c));
        assertProbs(c, 0.5, 0.5);
        Candidates three = filter(plain("top_k", 3), new float[] {1, 3, 2, 3, 0, 3});
        assertArrayEquals(new int[] {1, 3, 5}, ids(three));
        assertEquals(6, filter(plain("top_k", 0), new float[] {1, 3, 2, 3, 0, 3}).size, "top_k 0 disables");
        assertEquals(6, filter(plain("top_k", 100), new float[] {1, 3, 2, 3, 0, 3}).size, "top_k beyond the vocabulary");
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingTheMass() {
        float[] l = logitsOfProbs(0.15, 0.5, 0.05, 0.3);
        Candidates c = filter(plain("top_p", 0.75), l);
        assertArrayEquals(new int[] {1, 3}, ids(c));
        assertProbs(c, 0.5 / 0.8, 0.3 / 0.8);
        Candidates c2 = filter(plain("top_p", 0.85), l);
        assertArrayEquals(new int[] {1, 3, 0}, ids(c2));
        assertProbs(c2, 0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95);
        assertArrayEquals(new int[] {1}, ids(filter(plain("top_p", 0.0), l)), "top_p 0 keeps the best token");
        assertEquals(4, filter(plain("top_p", 1.0), l).size, "top_p 1 disables");
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        float[] l = logitsOfProbs(0.5, 0.3, 0.15, 0.05);
        Candidates c = filter(plain("min_p", 0.25), l); // threshold 0.125
        assertArrayEquals(new int[] {0, 1, 2}, ids(c));
        assertProbs(c, 0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95);
        assertArrayEquals(new int[] {0}, ids(filter(plain("min_p", 0.7), l)));
        assertEquals(4, filter(plain("min_p", 0.1), l).size);
    }

    @Test
    void typicalKeepsTheTokensClosestToTheEntropy() {
        double[] probs = {0.4, 0.3, 0.2, 0.1};
        // independent computation: H = -sum p ln p, score = |-ln p - H|
        double h = 0;
        for (double p : probs) h -= p * Math.log(p);
        double fh = h;
        Integer[] order = {0, 1, 2, 3};
        Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(-Math.log(probs[i]) - fh)));
        assertArrayEquals(new Integer[] {1, 2, 0, 3}, order, "hand-computed typicality order");

        Candidates c = filter(plain("typical_p", 0.45), logitsOfProbs(probs)); // 0.3, then 0.5 > 0.45
        assertArrayEquals(new int[] {1, 2}, ids(c));
        assertProbs(c, 0.6, 0.4);
        Candidates c2 = filter(plain("typical_p", 0.6), logitsOfProbs(probs));
        assertArrayEquals(new int[] {1, 2, 0}, ids(c2));
        assertProbs(c2, 0.3 / 0.9, 0.2 / 0.9, 0.4 / 0.9);
    }

    @Test
    void temperatureScalesTheLogitsAfterTheFilters() {
        Candidates c = filter(plain("temperature", 0.5), new float[] {0f, (float) Math.log(2)});
        assertArrayEquals(new int[] {0, 1}, ids(c));
        assertProbs(c, 0.2, 0.8); // exp(2·0) : exp(2·ln 2) = 1 : 4
        // top_p sees the temperature-1 distribution: {0.9, 0.1} with top_p 0.85 keeps one token even at
        // temperature 10 (applied first, the flattened {0.55, 0.45} would keep both)
        Candidates hot = filter(plain("temperature", 10.0, "top_p", 0.85), logitsOfProbs(0.9, 0.1));
        assertArrayEquals(new int[] {0}, ids(hot));
        assertProbs(hot, 1.0);
    }

    @Test
    void chainRunsTopKBeforeTopPBeforeMinP() {
        // top_k 3 renormalizes to {0.4,0.3,0.2}/0.9; top_p 0.7 keeps 0.444+0.333; min_p 0.8 then drops 0.333
        float[] l = logitsOfProbs(0.4, 0.3, 0.2, 0.1);
        assertArrayEquals(new int[] {0, 1}, ids(filter(plain("top_k", 3, "top_p", 0.7), l)));
        assertArrayEquals(new int[] {0}, ids(filter(plain("top_k", 3, "top_p", 0.7, "min_p", 0.8), l)));
    }

    @Test
    void repeatFrequencyAndPresencePenalties() {
        float[] l = {2f, -1f, 1.5f, 0.5f};
        Sampler s = new Sampler(plain("repeat_penalty", 2.0, "frequency_penalty", 0.5, "presence_penalty", 0.25), 4, 4096);
        s.accept(0);
        s.accept(1);
        s.accept(0);
        Candidates c = s.filter(l);
        float[] byId = new float[4];
        for (int i = 0; i < c.size; i++) byId[c.id[i]] = c.logit[i];
        assertEquals(2f / 2 - 2 * 0.5f - 0.25f, byId[0], 1e-6, "positive logit divided, count 2");
        assertEquals(-1f * 2 - 0.5f - 0.25f, byId[1], 1e-6, "negative logit multiplied, count 1");
        assertEquals(1.5f, byId[2], 0f, "unseen token untouched");
        assertEquals(0.5f, byId[3], 0f);
        assertEquals(2, s.sample(l), "the penalized favourite loses");
    }

    @Test
    void penaltyWindowSlides() {
        float[] l = {1f, 1f, 1f, 1f};
        Sampler s = new Sampler(plain("repeat_penalty", 2.0, "repeat_last_n", 2), 4, 4096);
        s.acceptAll(new int[] {0, 1, 2}, 0, 3); // 0 has left the window of 2
        Candidates c = s.filter(l);
        float[] byId = new float[4];
        for (int i = 0; i < c.size; i++) byId[c.id[i]] = c.logit[i];
        assertArrayEquals(new float[] {1f, 0.5f, 0.5f, 1f}, byId);
        s.reset();
        Candidates after = s.filter(l);
        for (int i = 0; i < after.size; i++) assertEquals(1f, after.logit[i], "reset clears the window");

        Sampler whole = new Sampler(plain("repeat_penalty", 2.0, "repeat_last_n", -1), 4, 3); // -1 = num_ctx (3)
        whole.acceptAll(new int[] {0, 1, 2, 3}, 0, 4);
        Candidates w = whole.filter(l);
        for (int i = 0; i < w.size; i++) assertEquals(w.id[i] == 0 ? 1f : 0.5f, w.logit[i], "id " + w.id[i]);

        Sampler off = new Sampler(plain("repeat_penalty", 2.0, "repeat_last_n", 0), 4, 4096);
        off.acceptAll(new int[] {0, 1}, 0, 2);
        Candidates o = off.filter(l);
        for (int i = 0; i < o.size; i++) assertEquals(1f, o.logit[i], "repeat_last_n 0 disables");
    }

    @Test
    void temperatureZeroIsArgmaxOfTheRawLogitsTiesToLowerId() {
        SamplingOptions greedy = SamplingOptions.DEFAULTS.with(Map.of("temperature", 0, "repeat_penalty", 1.5));
        Sampler s = new Sampler(greedy, 5, 4096);
        float[] l = {1f, 5f, 5f, 2f, Float.NaN};
        s.accept(1);
        for (int i = 0; i < 10; i++) assertEquals(1, s.sample(l));
        float[] allNegInf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertEquals(0, new Sampler(greedy, 2, 16).sample(allNegInf));
    }

    @Test
    void topKOneIsArgmaxAfterPenalties() {
        Sampler s = new Sampler(SamplingOptions.DEFAULTS.with(Map.of("top_k", 1, "repeat_penalty", 1.0)), 4, 4096);
        float[] l = {1f, 5f, 5f, 2f};
        for (int i = 0; i < 20; i++) assertEquals(1, s.sample(l));
        Sampler p = new Sampler(SamplingOptions.DEFAULTS.with(Map.of("top_k", 1, "repeat_penalty", 2.0)), 4, 4096);
        p.accept(1);
        assertEquals(2, p.sample(l), "penalized 1 drops below 2");
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] l = new float[64];
        Random r = new Random(3);
        for (int i = 0; i < l.length; i++) l[i] = (float) r.nextGaussian();
        int[] a = run(SamplingOptions.DEFAULTS.with(Map.of("seed", 42, "top_k", 0, "top_p", 1.0)), l);
        int[] b = run(SamplingOptions.DEFAULTS.with(Map.of("seed", 42, "top_k", 0, "top_p", 1.0)), l);
        int[] c = run(SamplingOptions.DEFAULTS.with(Map.of("seed", 43, "top_k", 0, "top_p", 1.0)), l);
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        assertTrue(IntStream.of(a).distinct().count() > 10, "draws are spread, not constant");
        Sampler random = new Sampler(SamplingOptions.DEFAULTS, 8, 16);
        assertTrue(random.seed() >= 0 && random.seed() <= 0xFFFF_FFFFL, "seed -1 draws a 32-bit seed");
    }

    private static int[] run(SamplingOptions o, float[] l) {
        Sampler s = new Sampler(o, l.length, 4096);
        int[] out = new int[200];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(l);
            s.accept(out[i]);
        }
        return out;
    }

    @Test
    void drawsFollowTheProbabilities() {
        Sampler s = new Sampler(plain("seed", 7), 3, 16);
        float[] l = logitsOfProbs(0.5, 0.3, 0.2);
        int[] hist = new int[3];
        int n = 40_000;
        for (int i = 0; i < n; i++) hist[s.sample(l)]++;
        assertEquals(0.5, hist[0] / (double) n, 0.015);
        assertEquals(0.3, hist[1] / (double) n, 0.015);
        assertEquals(0.2, hist[2] / (double) n, 0.015);
    }

    @Test
    void largeVocabularyFiltersMatchAReferenceSort() {
        Random r = new Random(11);
        int v = 50_000;
        float[] l = new float[v];
        for (int i = 0; i < v; i++) l[i] = (float) Math.round(r.nextGaussian() * 20) / 40f; // many ties
        Integer[] ref = IntStream.range(0, v).boxed().toArray(Integer[]::new);
        Arrays.sort(ref, (a, b) -> l[a] != l[b] ? Float.compare(l[b], l[a]) : Integer.compare(a, b));

        int[] top = ids(filter(plain("top_k", 40), l));
        assertArrayEquals(Arrays.stream(ref, 0, 40).mapToInt(Integer::intValue).toArray(), top);

        // top_p over the whole vocabulary (needs more than the 256-token first pass): reference in double
        double max = l[ref[0]], sum = 0;
        for (float x : l) sum += Math.exp(x - max);
        double cum = 0;
        int keep = 0;
        while (cum < 0.5) cum += Math.exp(l[ref[keep++]] - max) / sum;
        assertTrue(keep > Filters.TOP_P_FIRST_PASS, "test must exceed the first pass, kept " + keep);
        int[] nucleus = ids(filter(plain("top_p", 0.5), l));
        assertEquals(keep, nucleus.length, 2.0, "size within float rounding of the reference");
        for (int i = 0; i < nucleus.length; i++) assertEquals(ref[i].intValue(), nucleus[i], "rank " + i);
    }

    @Test
    void samplingAllocatesNothingPerToken() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] l = new float[32_000];
        Random r = new Random(5);
        for (int i = 0; i < l.length; i++) l[i] = (float) r.nextGaussian() * 3;
        SamplingOptions all = SamplingOptions.DEFAULTS.with(Map.of("seed", 9, "typical_p", 0.95, "min_p", 0.05,
                "frequency_penalty", 0.1, "presence_penalty", 0.1));
        Sampler s = new Sampler(all, l.length, 4096);
        for (int i = 0; i < 2_000; i++) s.accept(s.sample(l)); // warm up
        long tid = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 500; i++) s.accept(s.sample(l));
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 4096, "sample + accept allocated " + allocated + " bytes over 500 tokens");
    }

    @Test
    void badInputIsRejectedClearly() {
        Sampler s = new Sampler(SamplingOptions.DEFAULTS, 4, 16);
        var e = assertThrows(IllegalArgumentException.class, () -> s.sample(new float[3]));
        assertTrue(e.getMessage().contains("vocabulary of 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.accept(4));
        assertThrows(IllegalArgumentException.class, () -> s.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplingOptions.DEFAULTS, 0, 16));
    }

    @Test
    void defaultChainSamplesOnlyFromTheTopK() {
        float[] l = new float[1000];
        for (int i = 0; i < l.length; i++) l[i] = -i / 100f; // flat-ish: top_p 0.9 alone would keep hundreds
        Sampler s = new Sampler(SamplingOptions.DEFAULTS.with(Map.of("seed", 5)), l.length, 4096);
        for (int i = 0; i < 2000; i++) assertTrue(s.sample(l) < 40);
        assertEquals(List.of(), SamplingOptions.DEFAULTS.stop());
    }
}
