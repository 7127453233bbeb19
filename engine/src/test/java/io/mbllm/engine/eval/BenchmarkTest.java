package io.mbllm.engine.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

class BenchmarkTest {
    @TempDir Path tmp;

    @Test
    void meanAndSampleStandardDeviation() {
        Estimate e = Benchmark.meanAndSd(new double[] {1, 2, 3, 4});
        assertEquals(2.5, e.value(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3.0), e.error(), 1e-12);
        assertEquals(new Estimate(7, 0), Benchmark.meanAndSd(new double[] {7}));
        assertEquals(new Estimate(0, 0), Benchmark.meanAndSd(new double[0]));
    }

    @Test
    void resultNamesAndRates() {
        Benchmark.Result pp = new Benchmark.Result(64, 0, new long[] {1_000_000_000L, 500_000_000L});
        assertEquals("pp64", pp.name());
        assertArrayEquals(new double[] {64, 128}, pp.tokensPerSecond(), 1e-9);
        assertEquals(96, pp.rate().value(), 1e-9);
        assertEquals(Math.sqrt(2 * 32 * 32), pp.rate().error(), 1e-9);
        assertEquals("tg32", new Benchmark.Result(0, 32, new long[] {1}).name());
    }

    @Test
    void specValidation() {
        assertThrows(IllegalArgumentException.class, () -> new Benchmark.Spec(0, 0, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> new Benchmark.Spec(-1, 4, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> new Benchmark.Spec(4, 4, 0, true, 1));
        assertEquals(64, new Benchmark.Spec(64, 32, 1, true, 1).contextLength());
    }

    @Test
    void randomTokensStartWithBos() {
        int[] t = Benchmark.randomTokens(new SplittableRandom(3), 100, 50, 1);
        assertEquals(1, t[0]);
        for (int id : t) assertTrue(id >= 0 && id < 50);
        assertTrue(java.util.Arrays.stream(t).distinct().count() > 20, "random ids");
    }

    @Test
    void peakResidentMemory() throws Exception {
        Path status = Files.writeString(tmp.resolve("status"), "Name:\tjava\nVmPeak:\t 999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n");
        assertEquals(OptionalLong.of(12345L * 1024), ProcessMemory.field(status, "VmHWM:"));
        assertEquals(OptionalLong.empty(), ProcessMemory.field(status, "VmSwap:"));
        assertEquals(OptionalLong.empty(), ProcessMemory.field(tmp.resolve("none"), "VmHWM:"));
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            long rss = ProcessMemory.residentBytes().orElseThrow(); // first: RSS may grow between the two reads
            long hwm = ProcessMemory.peakResidentBytes().orElseThrow();
            assertTrue(hwm >= rss && rss > 1 << 20, hwm + " / " + rss);
        }
    }

    @Test
    void runsBothTestsOnStories260K() throws Exception {
        Path gguf = SharedData.require("models/stories260K.gguf");
        JsonNode f32 = new ObjectMapper().readTree(SharedData.require("testdata/llamacpp-oracle/perplexity.json").toFile())
                .get("files").get("F32");
        try (Parallel pool = new Parallel(2); Model model = Model.open(gguf)) {
            Benchmark.ModelInfo info = Benchmark.describe(model);
            long bytes = 0, params = 0;
            for (JsonNode t : f32.get("tensors")) {
                bytes += t.get("n_bytes").asLong();
                long n = 1;
                for (JsonNode d : t.get("ne")) n *= d.asLong();
                params += n;
            }
            assertEquals(new Benchmark.ModelInfo("llama all F32", bytes, params), info);
            assertEquals(292_800, params, "llama-bench prints 0.29 M");

            Benchmark.Spec spec = new Benchmark.Spec(16, 8, 2, true, 42);
            List<String> progress = new ArrayList<>();
            try (InferenceContext ctx = model.newContext(ContextOptions.of(spec.contextLength()).withParallel(pool))) {
                List<Benchmark.Result> rs = Benchmark.run(ctx, spec, 1, progress::add);
                assertEquals(List.of("pp16", "tg8"), rs.stream().map(Benchmark.Result::name).toList());
                for (Benchmark.Result r : rs) {
                    assertEquals(2, r.samplesNs().length);
                    for (long ns : r.samplesNs()) assertTrue(ns > 0);
                    assertTrue(r.rate().value() > 0);
                }
                assertEquals(List.of("pp16: warm-up", "pp16: run 1/2", "pp16: run 2/2", "tg8: warm-up", "tg8: run 1/2",
                        "tg8: run 2/2"), progress);
                assertEquals(8, ctx.position(), "the generation test ran 8 single steps from a cleared cache");
            }
            try (InferenceContext small = model.newContext(ContextOptions.of(8).withParallel(pool))) {
                assertThrows(EvalException.class, () -> Benchmark.run(small, spec, 1, null));
            }
            // at a depth: the cache holds D tokens before each timed run (not timed), names as llama-bench's
            Benchmark.Spec deep = new Benchmark.Spec(4, 3, 1, false, 7, 5);
            assertEquals(9, deep.contextLength());
            try (InferenceContext ctx = model.newContext(ContextOptions.of(deep.contextLength()).withParallel(pool))) {
                List<Benchmark.Result> rs = Benchmark.run(ctx, deep, 1, null);
                assertEquals(List.of("pp4 @ d5", "tg3 @ d5"), rs.stream().map(Benchmark.Result::name).toList());
                assertEquals(5 + 3, ctx.position(), "the last run stepped 3 tokens after the 5 cached ones");
            }
            assertThrows(IllegalArgumentException.class, () -> new Benchmark.Spec(4, 3, 1, false, 7, -1));
        }
    }
}
