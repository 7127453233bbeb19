package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static io.mbllm.server.http.TestServer.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.testkit.SharedData;

/**
 * {@code POST /api/compare} on stories260K (F32, registered as {@code stories}) and its Q2_K quantization by
 * mbllm ({@code stories:q2}): the NDJSON stream's shape, the non-streamed final object, and the errors.
 */
class CompareApiTest {
    @TempDir
    static Path dir;
    static TestServer s;
    /** run.c's greedy text after "Once upon a time" (60 tokens), as in {@link NativeApiTest}. */
    static String onceUponATime60;

    @BeforeAll
    static void start() throws Exception {
        s = new TestServer(TestServer.config());
        Path q2 = dir.resolve("q2.gguf");
        ModelQuantizer.quantize(TestServer.stories(), q2, QuantizeOptions.of(FileType.Q2_K).withThreads(2),
                ModelQuantizer.ProgressListener.none());
        s.resolver.addFile("stories:q2", q2);
        String file = Files.readString(SharedData.require("models/stories260K.expected.once-upon-a-time.n64.txt"), StandardCharsets.UTF_8);
        onceUponATime60 = file.substring("Once upon a time".length(), file.length() - 1);
    }

    @AfterAll
    static void stop() {
        if (s != null) s.close();
    }

    static final String BODY = "{\"models\":[\"stories:q2\",\"stories\"],\"prompt\":\"Once upon a time\","
            + "\"options\":{\"seed\":7,\"num_predict\":60,\"num_ctx\":128}%s}";

    @Test
    void streamsProgressThenResultsThenTheFinalObject() throws Exception {
        var r = s.post("/api/compare", BODY.formatted(""));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Exchange.NDJSON, r.headers().firstValue("content-type").orElse(""));
        List<JsonNode> ls = lines(r.body());
        // the reference (the F32 file, most bits per weight) goes first though listed second
        assertEquals("loading", ls.get(0).get("status").asText());
        assertEquals("stories", ls.get(0).get("model").asText());
        JsonNode gen = ls.stream().filter(l -> "generating".equals(l.path("status").asText())).findFirst().orElseThrow();
        assertEquals("stories", gen.get("model").asText());
        assertEquals(2, gen.get("total").asInt(), "one prompt: its answer and its scoring");
        List<JsonNode> results = ls.stream().filter(l -> l.has("result")).toList();
        assertEquals(List.of("stories", "stories:q2"), results.stream().map(l -> l.get("model").asText()).toList());
        JsonNode last = ls.getLast();
        assertTrue(last.get("done").asBoolean());
        assertEquals("stories", last.get("reference").asText());
        assertEquals(2, last.get("results").size());
        assertEquals(results.get(1).get("result"), last.get("results").get(1), "the streamed result is the final one");

        JsonNode ref = last.get("results").get(0), q2 = last.get("results").get(1);
        assertEquals(onceUponATime60, ref.get("answers").get(0).asText(), "greedy F32 answer = run.c's");
        assertEquals(32.0, ref.get("bits_per_weight").asDouble(), 1e-9);
        assertEquals(0.0, ref.get("kld_mean").asDouble());
        assertTrue(ref.get("diverges_at").isNull());
        assertTrue(ref.get("perplexity").isNull(), "no text, no perplexity");
        assertEquals(Files.size(TestServer.stories()), ref.get("size").asLong());
        assertTrue(q2.get("size").asLong() < ref.get("size").asLong());
        double kld = q2.get("kld_mean").asDouble();
        assertTrue(kld > 0.005 && kld < 1, "Q2_K KLD on the answer: " + kld);
        assertTrue(q2.get("kld_p99").asDouble() >= kld);
        assertEquals(60, q2.get("positions").asInt(), "the reference's 60 answer tokens, teacher-forced");
        double top1 = q2.get("top1_agreement").asDouble();
        assertTrue(top1 > 0.5 && top1 <= 1, "top-1 " + top1);
        for (String f : List.of("load_ms", "prompt_tps", "gen_tps")) assertTrue(q2.get(f).asDouble() > 0, f);
        for (String f : List.of("model", "size", "bits_per_weight", "load_ms", "prompt_tps", "gen_tps", "kld_mean", "kld_p99",
                "top1_agreement", "perplexity", "diverges_at", "answers")) {
            assertTrue(q2.has(f), f);
        }
    }

    @Test
    void nonStreamedGivesOnlyTheFinalObjectWithPerplexity() throws Exception {
        String text = Files.readString(SharedData.require("testdata/text/stories.txt"), StandardCharsets.UTF_8);
        String body = "{\"models\":[\"stories\",\"stories:q2\"],\"reference\":\"stories\",\"prompts\":[\"Lily\"],"
                + "\"text\":" + io.mbllm.server.api.Json.write(text) + ",\"options\":{\"num_predict\":16,\"num_ctx\":128},\"stream\":false}";
        var r = s.post("/api/compare", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = json(r);
        assertTrue(j.get("done").asBoolean());
        JsonNode ref = j.get("results").get(0), q2 = j.get("results").get(1);
        // llama-perplexity's figures at n_ctx 128 (testdata/llamacpp-oracle/perplexity.json): F32 4.9714; Q2_K 5.3783
        assertEquals(4.9714, ref.get("perplexity").asDouble(), 0.01 * 4.9714);
        assertEquals(5.3783, q2.get("perplexity").asDouble(), 0.01 * 5.3783);
        assertEquals(16 + 9 * 63, q2.get("positions").asInt(), "16 answer positions + 9 chunks of 63 scored text positions");
    }

    @Test
    void errors() throws Exception {
        var r = s.post("/api/compare", "{\"models\":[\"stories\",\"nope:q4\"],\"prompt\":\"x\"}");
        assertEquals(404, r.statusCode());
        assertEquals("model 'nope:q4' not found", json(r).get("error").asText());
        r = s.post("/api/compare", "{\"models\":[\"stories\"],\"reference\":\"gone\",\"prompt\":\"x\"}");
        assertEquals(404, r.statusCode());
        r = s.post("/api/compare", "{\"models\":[],\"prompt\":\"x\"}");
        assertEquals(400, r.statusCode());
        assertTrue(json(r).get("error").asText().contains("at least one model"));
        r = s.post("/api/compare", "{\"prompt\":\"x\"}");
        assertEquals(400, r.statusCode());
        r = s.post("/api/compare", "{\"models\":[\"stories\"");
        assertEquals(400, r.statusCode());
        r = s.post("/api/compare", "{\"models\":[\"stories\"]}");
        assertEquals(400, r.statusCode());
        assertEquals("give a prompt or a text to compare on", json(r).get("error").asText());
        r = s.post("/api/compare", "{\"models\":[\"stories\"],\"prompt\":\"x\",\"options\":{\"num_predict\":0}}");
        assertEquals(400, r.statusCode());
        assertFalse(r.body().isEmpty());
        var g = s.get("/api/compare");
        assertEquals(405, g.statusCode());
    }
}
