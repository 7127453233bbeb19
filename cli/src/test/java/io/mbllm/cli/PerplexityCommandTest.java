package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.testkit.SharedData;

/**
 * {@code mbllm perplexity} on stories260K against llama-perplexity's recorded output. Pinned to the float32
 * attention figures (llama.cpp with {@code -fa off -ctk f32 -ctv f32}, the float64 reference): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false} (cli/pom.xml).
 */
@Tag("f32-attention")
class PerplexityCommandTest {
    static final String ORACLE = "testdata/llamacpp-oracle/";
    @TempDir Path tmp;

    static String model() {
        return SharedData.require("models/stories260K.gguf").toString();
    }

    static String text() {
        return SharedData.require("testdata/text/stories.txt").toString();
    }

    static JsonNode f32(int c) throws Exception {
        return new ObjectMapper().readTree(SharedData.require(ORACLE + "perplexity.json").toFile())
                .get("results").get("ctx" + c).get("models").get("F32");
    }

    @Test
    void perplexityPrintsRunningValuesAndFinalEstimate() throws Exception {
        CliRun r = CliRun.of("perplexity", model(), "--text", text(), "--ctx", "64", "-t", "2");
        assertEquals(0, r.exit(), r.err());
        double[] running = CliRun.numbers(r.line("[1]"));
        JsonNode want = f32(64).get("ppl_cumulative_per_chunk");
        assertEquals(2 * 19, running.length, r.line("[1]"));
        for (int k = 0; k < 19; k++) {
            assertEquals(k + 1, running[2 * k], 0);
            assertEquals(want.get(k).asDouble(), running[2 * k + 1], 3e-4 * want.get(k).asDouble(), "[" + (k + 1) + "]");
        }
        assertTrue(r.line("[1]").endsWith(","), "llama-perplexity's trailing comma");
        double[] fin = CliRun.numbers(r.line("Final estimate: PPL = "));
        assertEquals(5.1540, fin[0], 0.00005, "float64 reference 5.1540 ± 0.38963 (llama.cpp with F32 attention)");
        assertEquals(0.38963, fin[1], 0.000015);
        assertTrue(r.err().contains("19 chunks, n_ctx=64"), r.err());
        assertTrue(r.err().contains("19/19 chunks"), "progress bar on stderr: " + r.err());
    }

    @Test
    void savedBaseIsLlamaCppsFormatAndFeedsKlDivergence() throws Exception {
        Path base = tmp.resolve("f32.c128.bin");
        CliRun save = CliRun.of("perplexity", model(), "-f", text(), "-c", "128", "-t", "2", "--kl-divergence-base", base.toString());
        assertEquals(0, save.exit(), save.err());
        assertEquals(4.9717, CliRun.numbers(save.line("Final estimate: PPL = "))[0], 0.00005, "saving prints the same PPL");
        byte[] ours = Files.readAllBytes(base);
        byte[] theirs = Files.readAllBytes(SharedData.require(ORACLE + "stories260K.kld-base.c128.bin"));
        assertEquals(theirs.length, ours.length);
        int fixed = 20 + 4 * 128 * 9;
        assertArrayEquals(Arrays.copyOf(theirs, fixed), Arrays.copyOf(ours, fixed), "header and tokens");
        assertFalse(Files.exists(tmp.resolve("f32.c128.bin.part")));

        // no --text: the tokens and the context size come from the base file
        CliRun kld = CliRun.of("perplexity", model(), "-t", "2", "--kl-divergence-base", base.toString(), "--kl-divergence");
        assertEquals(0, kld.exit(), kld.err());
        assertTrue(kld.out().startsWith("chunk             PPL               ln(PPL(Q)/PPL(base))"), kld.out());
        assertEquals(9, kld.lines().stream().filter(l -> l.matches("^ {3}\\d .*")).count(), "one row per chunk");
        assertEquals(0.0, CliRun.numbers(kld.line("Mean    KLD:"))[0], 2e-6);
        assertEquals(100.0, CliRun.numbers(kld.line("Same top p:"))[0], 0);
        assertEquals(1.0, CliRun.numbers(kld.line("Mean PPL(Q)/PPL(base)"))[0], 1e-5);
    }

    @Test
    void klDivergenceAgainstLlamaCppsBase() throws Exception {
        String base = SharedData.require(ORACLE + "stories260K.kld-base.c64.bin").toString();
        CliRun r = CliRun.of("perplexity", model(), "-t", "2", "--kl-divergence-base", base, "--kl-divergence", "--no-progress");
        assertEquals(0, r.exit(), r.err());
        JsonNode own = f32(64).get("kld_vs_own_base");
        double[] pplBase = CliRun.numbers(r.line("Mean PPL(base)"));
        assertEquals(own.get("mean_ppl_base").asDouble(), pplBase[0], 0.0000005, "printed like llama.cpp: " + r.line("Mean PPL(base)"));
        assertEquals(own.get("mean_ppl_base_pm").asDouble(), pplBase[1], 0.0000005);
        double kld = CliRun.numbers(r.line("Mean    KLD:"))[0];
        assertTrue(Math.abs(kld) < 1e-4, "mean KLD " + kld);
        assertEquals(100.0, CliRun.numbers(r.line("Same top p:"))[0], 0);
        for (String head : new String[] {"Maximum KLD:", "99.9%   KLD:", "Median  KLD:", " 0.1%   KLD:", "Minimum KLD:",
                "Mean    Δp:", "Median  Δp:", "RMS Δp    :", "Cor(ln(PPL(Q)), ln(PPL(base))):", "Mean PPL(Q)-PPL(base)"}) {
            r.line(head);
        }
        assertFalse(r.err().contains("/19 chunks"), "--no-progress: " + r.err());
    }

    @Test
    void badInvocationsAreRefusedWithAReason() throws Exception {
        CliRun noBase = CliRun.of("perplexity", model(), "--kl-divergence");
        assertEquals(2, noBase.exit());
        assertTrue(noBase.err().contains("--kl-divergence needs --kl-divergence-base"), noBase.err());

        CliRun noText = CliRun.of("perplexity", model());
        assertEquals(2, noText.exit());
        assertTrue(noText.err().contains("--text"), noText.err());

        CliRun missing = CliRun.of("perplexity", tmp.resolve("none.gguf").toString(), "--text", text());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("none.gguf: no such file"), missing.err());

        CliRun missingText = CliRun.of("perplexity", model(), "--text", tmp.resolve("none.txt").toString());
        assertEquals(1, missingText.exit());
        assertTrue(missingText.err().contains("none.txt: no such file"), missingText.err());

        CliRun tooShort = CliRun.of("perplexity", model(), "--text", text(), "--ctx", "1024");
        assertEquals(1, tooShort.exit());
        assertTrue(tooShort.err().contains("you need at least 2048 tokens") && tooShort.err().contains("only 1249"), tooShort.err());

        Path garbage = Files.writeString(tmp.resolve("garbage.bin"), "this is not a base file at all");
        CliRun bad = CliRun.of("perplexity", model(), "--kl-divergence-base", garbage.toString(), "--kl-divergence");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("does not look like a file containing log-probabilities"), bad.err());

        Path notGguf = Files.writeString(tmp.resolve("x.gguf"), "nope");
        CliRun badModel = CliRun.of("perplexity", notGguf.toString(), "--text", text());
        assertEquals(1, badModel.exit());
        assertTrue(badModel.err().contains("x.gguf"), badModel.err());

        if (!io.mbllm.kernels.nativ.NativeKernels.isAvailable()) {
            CliRun kernels = CliRun.of("perplexity", model(), "--text", text(), "--kernels", "native");
            assertEquals(2, kernels.exit());
            assertTrue(kernels.err().contains("--kernels native: not available here"), kernels.err());
        }
    }

    /** Every kernel choice available here gives llama.cpp's figure (the float64 reference 5.1540 at C = 64). */
    @Test
    void kernelChoicesAgree() {
        for (String k : new String[] {"reference", "vector", "native", "auto"}) {
            if (k.equals("native") && !io.mbllm.kernels.nativ.NativeKernels.isAvailable()) continue;
            CliRun r = CliRun.of("perplexity", model(), "--text", text(), "--ctx", "64", "-t", "2", "--kernels", k, "--no-progress");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().contains((k.equals("auto") ? "" : k) + " kernels"), r.err());
            assertEquals(5.1540, CliRun.numbers(r.line("Final estimate: PPL = "))[0], 0.00015, k + ": " + r.line("Final"));
        }
    }
}
