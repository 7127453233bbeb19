package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.testkit.SharedData;

class BenchCommandTest {
    static String model() {
        return SharedData.require("models/stories260K.gguf").toString();
    }

    @Test
    void markdownTableInLlamaBenchShape() {
        CliRun r = CliRun.of("bench", model(), "-p", "16", "-n", "8", "-r", "2", "-t", "1", "--kernels", "reference");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.lines();
        assertEquals("| model                          |       size |     params | kernels    | threads |            test |                  t/s |",
                lines.get(0));
        assertEquals("| ------------------------------ | ---------: | ---------: | ---------- | ------: | --------------: | -------------------: |",
                lines.get(1));
        // llama-bench prints "1.12 MiB" and "0.29 M" for this file
        assertTrue(lines.get(2).matches("\\| llama all F32 +\\| +1\\.12 MiB \\| +0\\.29 M \\| reference +\\| +1 \\| +pp16 \\| +[0-9.]+ ± [0-9.]+ \\|"),
                lines.get(2));
        assertTrue(lines.get(3).matches("\\| llama all F32 .*\\| +tg8 \\| +[0-9.]+ ± [0-9.]+ \\|"), lines.get(3));
        for (int i = 2; i <= 3; i++) assertTrue(CliRun.numbers(lines.get(i).substring(lines.get(i).lastIndexOf("| ", lines.get(i).length() - 3)))[0] > 0);
        assertTrue(r.line("peak RSS: ").matches("peak RSS: [0-9.]+ [KMG]B \\(VmHWM\\)"), r.line("peak RSS: "));
        assertTrue(r.err().contains("pp16: warm-up") && r.err().contains("tg8: run 2/2"), r.err());
    }

    @Test
    void jsonOutput() throws Exception {
        CliRun r = CliRun.of("bench", model(), "-p", "8", "-n", "4", "-r", "3", "-t", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("llama all F32", j.get("model").asText());
        assertEquals(292_800, j.get("params").asLong());
        assertTrue(java.util.Set.of("native", "vector", "reference").contains(j.get("kernels").asText()),
                "auto resolves to what runs: " + j.get("kernels"));
        assertEquals(2, j.get("threads").asInt());
        assertTrue(j.get("peak_rss_bytes").asLong() > 1 << 20);
        JsonNode tests = j.get("tests");
        assertEquals(2, tests.size());
        assertEquals("pp8", tests.get(0).get("test").asText());
        assertEquals("tg4", tests.get(1).get("test").asText());
        for (JsonNode t : tests) {
            assertEquals(3, t.get("samples_ns").size());
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                long ns = t.get("samples_ns").get(i).asLong();
                double ts = t.get("samples_ts").get(i).asDouble();
                int tokens = t.get("n_prompt").asInt() + t.get("n_gen").asInt();
                assertEquals(1e9 * tokens / ns, ts, 1e-6 * ts, "t/s = tokens / seconds");
                sum += ts;
            }
            assertEquals(sum / 3, t.get("avg_ts").asDouble(), 1e-6 * sum);
            assertTrue(t.get("stddev_ts").asDouble() >= 0);
        }
    }

    @Test
    void depthNamesTheTestsAsLlamaBenchAndIsReported() throws Exception {
        CliRun r = CliRun.of("bench", model(), "-p", "8", "-n", "4", "-d", "16", "-r", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode tests = new ObjectMapper().readTree(r.out()).get("tests");
        assertEquals("pp8 @ d16", tests.get(0).get("test").asText());
        assertEquals("tg4 @ d16", tests.get(1).get("test").asText());
        for (JsonNode t : tests) assertEquals(16, t.get("n_depth").asInt());
        CliRun bad = CliRun.of("bench", model(), "-d", "-1");
        assertEquals(2, bad.exit(), bad.out() + bad.err());
        assertTrue(bad.err().contains("depth must be >= 0"), bad.err());
    }

    @Test
    void noRepackReadsThePlainLayoutAndSaysSo() throws Exception {
        CliRun r = CliRun.of("bench", model(), "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--no-repack", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("kernels").asText().endsWith(" (no repack)"), j.get("kernels").asText());
        assertNull(System.getProperty("mbllm.repack"), "the switch does not outlive the command");
    }

    @Test
    void badOptions() {
        CliRun none = CliRun.of("bench", model(), "-p", "0", "-n", "0");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("nothing to run"), none.err());
        CliRun reps = CliRun.of("bench", model(), "-r", "0");
        assertEquals(2, reps.exit());
        CliRun threads = CliRun.of("bench", model(), "-t", "0");
        assertEquals(2, threads.exit());
        assertTrue(threads.err().contains("-t must be at least 1"), threads.err());
        if (!io.mbllm.kernels.nativ.NativeKernels.isAvailable()) {
            CliRun nativ = CliRun.of("bench", model(), "--kernels", "NATIVE");
            assertEquals(2, nativ.exit());
            assertTrue(nativ.err().contains("--kernels native: not available here"), nativ.err());
        }
        CliRun unknown = CliRun.of("bench", model(), "--kernels", "gpu");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("gpu"), unknown.err());
        CliRun missing = CliRun.of("bench", "/nonexistent/m.gguf");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("m.gguf: no such file"), missing.err());
    }

    @Test
    void sizeAndParamsColumns() {
        assertEquals("1.12 MiB", BenchCommand.mib(1_171_200));
        assertEquals("770.28 MiB", BenchCommand.mib(807_693_600L - 0)); // under 1 GiB
        assertEquals("2.31 GiB", BenchCommand.mib(2_479_594_752L));
        assertEquals("0.29 M", BenchCommand.millions(292_800));
        assertEquals("1.24 B", BenchCommand.millions(1_235_814_400L));
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", BenchCommand.str("a\"b\\c\n\u0001"));
    }
}
