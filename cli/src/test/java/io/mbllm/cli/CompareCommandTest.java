package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.testkit.SharedData;

/** {@code mbllm compare} in-process on stories260K (F32) and its Q2_K quantization by mbllm. */
class CompareCommandTest {
    @TempDir
    static Path dir;
    static Path q2;

    static String f32() {
        return SharedData.require("models/stories260K.gguf").toString();
    }

    @BeforeAll
    static void quantize() throws Exception {
        q2 = dir.resolve("stories-q2_k.gguf");
        ModelQuantizer.quantize(Path.of(f32()), q2, QuantizeOptions.of(FileType.Q2_K).withThreads(2), ModelQuantizer.ProgressListener.none());
    }

    @Test
    void jsonHasEveryMetricAndTheSvgPlotIsWritten() throws Exception {
        Path svg = dir.resolve("quality.svg");
        CliRun r = CliRun.of("compare", q2.toString(), f32(), "--prompt", "Once upon a time", "--prompt", "Lily", "-n", "24",
                "--ctx", "128", "--text", SharedData.require("testdata/text/stories.txt").toString(), "--json", "--plot", svg.toString(), "-t", "2");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("done").asBoolean());
        assertEquals("stories260K.gguf", j.get("reference").asText(), "the F32 file has the most bits per weight");
        JsonNode ref = j.get("results").get(0), q = j.get("results").get(1);
        assertEquals("stories-q2_k.gguf", q.get("model").asText());
        for (String f : List.of("model", "size", "bits_per_weight", "load_ms", "prompt_tps", "gen_tps", "kld_mean", "kld_p99",
                "top1_agreement", "perplexity", "diverges_at", "answers")) {
            assertTrue(q.has(f), f);
        }
        assertEquals(2, q.get("answers").size());
        assertEquals(Files.size(q2), q.get("size").asLong());
        assertTrue(q.get("bits_per_weight").asDouble() < 16 && q.get("bits_per_weight").asDouble() > 4);
        // llama-perplexity at n_ctx 128 (testdata/llamacpp-oracle/perplexity.json): F32 4.9714, Q2_K 5.3783
        assertEquals(4.9714, ref.get("perplexity").asDouble(), 0.01 * 4.9714);
        assertEquals(5.3783, q.get("perplexity").asDouble(), 0.01 * 5.3783);
        assertTrue(q.get("kld_mean").asDouble() > 0.01, q.toString());
        assertTrue(q.get("top1_agreement").asDouble() < 1, q.toString());
        String s = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(s.startsWith("<?xml") && s.contains("<svg") && s.trim().endsWith("</svg>"));
        assertEquals(2, s.split("<circle", -1).length - 1, "one point per variant");
        assertTrue(s.contains("stories-q2_k.gguf"));
        assertTrue(r.err().contains("plot written to"));
    }

    @Test
    void tablePrintsAnswersSideBySideAndThePngPlot() throws Exception {
        Path png = dir.resolve("quality.png");
        CliRun r = CliRun.of("compare", f32(), q2.toString(), "--prompt", "Once upon a time", "-n", "16", "--ctx", "64",
                "--plot", png.toString(), "-t", "2", "--no-progress");
        assertEquals(0, r.exit(), r.err());
        String header = r.line("stories260K.gguf (reference)");
        assertTrue(header.contains(" | stories-q2_k.gguf"), header);
        String row = r.line("stories-q2_k.gguf");
        assertEquals(11, row.trim().split("\\s{4,}").length, row);
        assertTrue(r.line("MODEL").contains("KLD MEAN"));
        var img = ImageIO.read(png.toFile());
        assertEquals(QualityPlot.WIDTH, img.getWidth());
        assertEquals(QualityPlot.HEIGHT, img.getHeight());
    }

    @Test
    void usageErrors() {
        CliRun r = CliRun.of("compare", f32());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("give a prompt or a text"), r.err());
        r = CliRun.of("compare", f32(), "--prompt", "x", "--plot", "out.jpg");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains(".svg or .png"), r.err());
        r = CliRun.of("compare", "missing.gguf", "--prompt", "x");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("missing.gguf: no such file"), r.err());
    }
}
