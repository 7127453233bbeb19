package io.mbllm.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.sample.SamplingOptions;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * The generator on the real stories260K model (ids only, no tokenizer): greedy generation reproduces llama2.c
 * run.c's token trace, and seeded sampling is reproducible.
 */
class GeneratorStoriesTest {
    static Parallel pool;
    static Model model;
    static Path tsv;

    @BeforeAll
    static void load() throws Exception {
        Path gguf = SharedData.require("models/stories260K.gguf");
        tsv = SharedData.require("models/stories260K.expected.tokens.tsv");
        pool = new Parallel(2);
        model = Model.open(gguf);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
        if (pool != null) pool.close();
    }

    /** Decoder that writes each id as "<id>" so the streamed text gives the ids back. */
    static final class IdDecoder implements TokenDecoder {
        @Override public String decode(int token) { return "<" + token + ">"; }
        @Override public String flush() { return ""; }
    }

    static Generator generator(int ctx) {
        var source = new ContextLogitSource(model.newContext(ContextOptions.of(ctx).withParallel(pool)));
        return new Generator(source, t -> t == 2, prompt -> new IdDecoder()); // 2 = </s>
    }

    static int[] ids(String text) {
        if (text.isEmpty()) return new int[0];
        return Arrays.stream(text.substring(1, text.length() - 1).split("><")).mapToInt(Integer::parseInt).toArray();
    }

    static String run(Generator g, int[] prompt, SamplingOptions o, List<GenerationStats> stats) throws Exception {
        StringBuilder sb = new StringBuilder();
        stats.add(g.generate(prompt, o, true, sb::append, () -> false));
        return sb.toString();
    }

    /** The "next" ids of run.c's greedy run from BOS, positions [from, to). */
    static int[] traceNext(int from, int to) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (String line : Files.readAllLines(tsv)) {
            String[] f = line.split("\t", -1);
            if (!f[0].equals("greedy_n200")) continue;
            int pos = Integer.parseInt(f[1]);
            if (pos >= from && pos < to) out.add(Integer.parseInt(f[3]));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void greedyReproducesTheRunCTrace() throws Exception {
        int[] prompt = {1, 403, 407, 261, 378}; // BOS "Once upon a time", as in the trace
        SamplingOptions greedy = SamplingOptions.DEFAULTS.with(Map.of("temperature", 0, "num_predict", 64));
        List<GenerationStats> stats = new ArrayList<>();
        int[] got = ids(run(generator(512), prompt, greedy, stats));
        assertArrayEquals(traceNext(4, 68), got);
        GenerationStats s = stats.getFirst();
        assertEquals(DoneReason.LENGTH, s.doneReason());
        assertEquals(64, s.evalCount());
        assertEquals(5, s.promptEvalCount());
    }

    @Test
    void fullContextStopsWithLength() throws Exception {
        SamplingOptions greedy = SamplingOptions.DEFAULTS.with(Map.of("temperature", 0));
        List<GenerationStats> stats = new ArrayList<>();
        int[] got = ids(run(generator(32), new int[] {1}, greedy, stats));
        assertArrayEquals(traceNext(0, 32), got, "31 tokens fed after BOS, the 32nd sampled from the last logits");
        assertEquals(DoneReason.LENGTH, stats.getFirst().doneReason());
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        int[] prompt = {1, 403, 407, 261, 378};
        SamplingOptions a = SamplingOptions.DEFAULTS.with(Map.of("seed", 42, "num_predict", 48, "temperature", 1.0));
        SamplingOptions b = a.with(Map.of("seed", 4242));
        List<GenerationStats> stats = new ArrayList<>();
        Generator g = generator(256);
        String first = run(g, prompt, a, stats);
        String again = run(generator(256), prompt, a, stats);
        String reused = run(g, prompt, a, stats); // same generator: cached prefix reused, same tokens
        String other = run(generator(256), prompt, b, stats);
        assertEquals(first, again);
        assertEquals(first, reused);
        assertNotEquals(first, other);
        assertEquals(1, stats.get(2).promptEvalCount(), "only the last prompt token re-evaluated");
    }
}
