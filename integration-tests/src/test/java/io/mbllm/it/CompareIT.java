package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code mbllm compare} with store names (the packaged CLI reading the store directly) and {@code POST
 * /api/compare} on a server over the same store: the same answers and figures both ways.
 */
class CompareIT {
    @TempDir
    Path dir;

    @Test
    void cliOnStoreNamesAndTheServerAgree() throws Exception {
        Path q2 = dir.resolve("stories-q2_k.gguf");
        Cli.Result q = Cli.run(dir, Map.of(), "quantize", TestModels.stories().toString(), q2.toString(), "Q2_K", "--threads", "2");
        assertEquals(0, q.exit(), q.toString());
        Path models = dir.resolve("models");
        TestModels.seed(models, "stories:f32", TestModels.stories(), "llama", "260K", "F32");
        TestModels.seed(models, "stories:q2", q2, "llama", "260K", "Q2_K");

        Cli.Result c = Cli.run(dir, Map.of("MBLLM_MODELS", models.toString()), "compare", "stories:q2", "stories:f32",
                "--prompt", "Once upon a time", "-n", "60", "--ctx", "128", "--json", "-t", "2");
        assertEquals(0, c.exit(), c.toString());
        JsonNode cli = Fixture.json(c.out());
        assertEquals("stories:f32", cli.get("reference").asText());
        JsonNode ref = cli.get("results").get(0), v = cli.get("results").get(1);
        assertEquals(TestModels.onceUponATime60(), ref.get("answers").get(0).asText(), "run.c's greedy text");
        assertTrue(v.get("kld_mean").asDouble() > 0.005, v.toString());

        Cli.Result missing = Cli.run(dir, Map.of("MBLLM_MODELS", models.toString()), "compare", "stories:nope", "--prompt", "x");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("model 'stories:nope' not found"), missing.toString());

        try (ServerProcess s = ServerProcess.start(models)) {
            var r = s.post("/api/compare", "{\"models\":[\"stories:q2\",\"stories:f32\"],\"prompt\":\"Once upon a time\","
                    + "\"options\":{\"num_predict\":60,\"num_ctx\":128},\"stream\":false}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode api = Fixture.json(r.body());
            assertEquals("stories:f32", api.get("reference").asText());
            for (int i = 0; i < 2; i++) {
                JsonNode a = api.get("results").get(i), b = cli.get("results").get(i);
                assertEquals(b.get("model"), a.get("model"));
                assertEquals(b.get("answers"), a.get("answers"));
                assertEquals(b.get("diverges_at"), a.get("diverges_at"));
                assertEquals(b.get("size"), a.get("size"));
                assertEquals(b.get("kld_mean").asDouble(), a.get("kld_mean").asDouble(), 1e-6 + 1e-4 * b.get("kld_mean").asDouble());
                assertEquals(b.get("top1_agreement").asDouble(), a.get("top1_agreement").asDouble(), 1e-9);
            }
        }
    }
}
