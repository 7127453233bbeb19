package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static io.mbllm.server.http.TestServer.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.testkit.SharedData;

/** Happy paths of the native API on stories260K, against run.c's greedy output where text is checked. */
class NativeApiTest {
    static TestServer s;
    /** run.c, greedy, 64 positions from "Once upon a time": the 60 generated tokens' text (shared/models/README.md). */
    static String onceUponATime60;

    @BeforeAll
    static void start() throws Exception {
        s = new TestServer(TestServer.config());
        String file = Files.readString(SharedData.require("models/stories260K.expected.once-upon-a-time.n64.txt"), StandardCharsets.UTF_8);
        String prompt = "Once upon a time";
        assertTrue(file.startsWith(prompt) && file.endsWith("\n"));
        onceUponATime60 = file.substring(prompt.length(), file.length() - 1);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static final String GREEDY60 = "\"options\":{\"temperature\":0,\"num_predict\":60}";

    @Test
    void rootVersionAndHead() throws Exception {
        var r = s.get("/");
        assertEquals(200, r.statusCode());
        assertEquals("Ollama is running", r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        var h = s.send("HEAD", "/", null);
        assertEquals(200, h.statusCode());
        assertEquals("", h.body());
        var v = s.get("/api/version");
        assertEquals(200, v.statusCode());
        assertTrue(json(v).get("version").asText().matches("\\d+\\.\\d+\\.\\d+"));
        assertEquals("application/json; charset=utf-8", v.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void generateRawGreedyIsRunC() throws Exception {
        var r = s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"raw\":true,\"stream\":false," + GREEDY60 + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = json(r);
        assertEquals(onceUponATime60, j.get("response").asText());
        assertEquals("stories", j.get("model").asText(), "model echoes the request");
        assertTrue(j.get("done").asBoolean());
        assertEquals("length", j.get("done_reason").asText());
        assertEquals(60, j.get("eval_count").asInt());
        assertTrue(j.get("prompt_eval_count").asInt() >= 1);
        for (String f : List.of("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")) {
            assertTrue(j.get(f).isIntegralNumber(), f);
        }
        assertTrue(j.get("total_duration").asLong() >= j.get("eval_duration").asLong());
        assertFalse(j.has("context"), "raw mode returns no context");
        OffsetDateTime.parse(j.get("created_at").asText());
    }

    @Test
    void generateStreamsNdjsonWithTheSameText() throws Exception {
        // default template {{ .Prompt }}: same tokens as raw
        var r = s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\"," + GREEDY60 + "}");
        assertEquals(200, r.statusCode());
        assertEquals("application/x-ndjson", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().endsWith("}\n"));
        assertFalse(r.body().contains("\n\n"));
        List<JsonNode> ls = lines(r.body());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ls.size() - 1; i++) {
            assertFalse(ls.get(i).get("done").asBoolean());
            assertTrue(ls.get(i).get("response").isTextual());
            text.append(ls.get(i).get("response").asText());
        }
        JsonNode last = ls.getLast();
        assertTrue(last.get("done").asBoolean());
        assertEquals("", last.get("response").asText());
        assertEquals(onceUponATime60, text.toString());
        assertEquals(60, last.get("eval_count").asInt());
        // context = BOS + prompt + generated tokens: 1 + 4 + 60
        assertEquals(65, last.get("context").size());
        assertEquals(List.of(1, 403, 407, 261, 378), List.of(last.get("context").get(0).asInt(), last.get("context").get(1).asInt(),
                last.get("context").get(2).asInt(), last.get("context").get(3).asInt(), last.get("context").get(4).asInt()));
    }

    @Test
    void generateWithContextContinues() throws Exception {
        var first = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":10}}"));
        String ctx = first.get("context").toString();
        var second = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\" little\",\"stream\":false,\"context\":" + ctx
                + ",\"options\":{\"temperature\":0,\"num_predict\":5}}"));
        JsonNode a = first.get("context"), b = second.get("context");
        assertTrue(b.size() > a.size() + 5, "previous context + new prompt (no BOS) + 5 tokens");
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), "context is prepended, position " + i);
        assertEquals(5, second.get("eval_count").asInt());
    }

    @Test
    void systemAndTemplateOverridesAreRendered() throws Exception {
        var r = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"hi\",\"system\":\"SYS\","
                + "\"template\":\"[{{ .System }}|{{ .Prompt }}]\",\"_debug_render_only\":true}"));
        assertEquals("[SYS|hi]", r.get("debug_info").get("rendered_template").asText());
    }

    @Test
    void stopSequenceEndsWithStop() throws Exception {
        var j = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":60,\"stop\":[\"Lily\"]}}"));
        assertEquals(", there was a little girl named ", j.get("response").asText());
        assertEquals("stop", j.get("done_reason").asText());
    }

    @Test
    void seededSamplingIsReproducible() throws Exception {
        String body = "{\"model\":\"stories\",\"prompt\":\"Lily\",\"stream\":false,\"options\":{\"seed\":42,\"temperature\":1,\"num_predict\":30}}";
        assertEquals(json(s.post("/api/generate", body)).get("response"), json(s.post("/api/generate", body)).get("response"));
    }

    @Test
    void chatStreamsMessagesOnEveryLine() throws Exception {
        var r = s.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]," + GREEDY60 + "}");
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> ls = lines(r.body());
        StringBuilder text = new StringBuilder();
        for (JsonNode l : ls) {
            assertEquals("assistant", l.get("message").get("role").asText(), l.toString());
            text.append(l.get("message").get("content").asText());
        }
        JsonNode last = ls.getLast();
        assertTrue(last.get("done").asBoolean());
        assertEquals("", last.get("message").get("content").asText());
        assertEquals(60, last.get("eval_count").asInt());
        assertNotNull(last.get("prompt_eval_count"));
        assertEquals(onceUponATime60, text.toString(), "no chat template: the contents are the prompt");
    }

    @Test
    void chatDropsOldestMessagesToFitTheContext() throws Exception {
        String old = "Once upon a time there was a dog. ".repeat(4);
        String body = "{\"model\":\"stories\",\"options\":{\"num_ctx\":48},\"_debug_render_only\":true,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"S. \"},{\"role\":\"user\",\"content\":\"" + "A cat sat. ".repeat(4) + "\"},"
                + "{\"role\":\"assistant\",\"content\":\"" + old + "\"},{\"role\":\"user\",\"content\":\"Lily\"}]}";
        String rendered = json(s.post("/api/chat", body)).get("debug_info").get("rendered_template").asText();
        // the default template {{ .Prompt }} shows no system text; the oldest user turn is dropped whole
        assertEquals(old + "Lily", rendered);
        var gen = json(s.post("/api/chat", body.replace(",\"_debug_render_only\":true", ",\"stream\":false")
                .replace("\"num_ctx\":48", "\"num_ctx\":48,\"num_predict\":2")));
        assertEquals(2, gen.get("eval_count").asInt());
    }

    @Test
    void chatNonStreaming() throws Exception {
        var j = json(s.post("/api/chat", "{\"model\":\"stories\",\"stream\":false,\"messages\":[{\"role\":\"USER\",\"content\":\"Once upon a time\"}]," + GREEDY60 + "}"));
        assertEquals(onceUponATime60, j.get("message").get("content").asText());
        assertFalse(j.get("message").has("tool_calls"));
        assertEquals("length", j.get("done_reason").asText());
    }

    @Test
    void loadOnlyAndUnload() throws Exception {
        var load = json(s.post("/api/generate", "{\"model\":\"stories\"}"));
        assertEquals("load", load.get("done_reason").asText());
        assertEquals("", load.get("response").asText());
        var ps = json(s.get("/api/ps")).get("models");
        assertEquals(1, ps.size());
        assertEquals("stories:latest", ps.get(0).get("name").asText());
        assertEquals(2048, ps.get(0).get("context_length").asInt(), "4096 capped at the trained 2048");
        assertTrue(OffsetDateTime.parse(ps.get(0).get("expires_at").asText()).isAfter(OffsetDateTime.now()));
        assertEquals(0, ps.get(0).get("size_vram").asInt());
        var chatLoad = json(s.post("/api/chat", "{\"model\":\"stories\",\"messages\":[]}"));
        assertEquals("load", chatLoad.get("done_reason").asText());
        assertEquals("assistant", chatLoad.get("message").get("role").asText());
        var unload = json(s.post("/api/generate", "{\"model\":\"stories\",\"keep_alive\":0}"));
        assertEquals("unload", unload.get("done_reason").asText());
        assertEquals(0, json(s.get("/api/ps")).get("models").size());
    }

    @Test
    void tagsShowCopyDelete() throws Exception {
        var tags = json(s.get("/api/tags")).get("models");
        JsonNode st = null;
        for (JsonNode m : tags) if (m.get("name").asText().equals("stories:latest")) st = m;
        assertNotNull(st, tags.toString());
        assertEquals("stories:latest", st.get("model").asText());
        assertEquals(1185376, st.get("size").asLong());
        assertTrue(st.get("digest").asText().matches("[0-9a-f]{64}"));
        assertEquals("llama", st.get("details").get("family").asText());
        assertEquals("F32", st.get("details").get("quantization_level").asText());
        assertEquals("293K", st.get("details").get("parameter_size").asText());
        OffsetDateTime.parse(st.get("modified_at").asText());
        assertTrue(st.get("capabilities").toString().contains("completion"));

        var show = json(s.post("/api/show", "{\"name\":\"stories\"}"));
        JsonNode info = show.get("model_info");
        assertEquals("llama", info.get("general.architecture").asText());
        assertEquals(2048, info.get("llama.context_length").asInt());
        assertFalse(info.has("general.name"));
        assertEquals(0, info.get("tokenizer.ggml.tokens").size(), "long arrays emptied unless verbose");
        var verbose = json(s.post("/api/show", "{\"model\":\"stories\",\"verbose\":true}"));
        assertEquals(512, verbose.get("model_info").get("tokenizer.ggml.tokens").size());
        assertEquals(48, verbose.get("tensors").size());
        assertTrue(show.get("modelfile").asText().contains("FROM "));

        assertEquals(200, s.post("/api/copy", "{\"source\":\"stories\",\"destination\":\"tale:v2\"}").statusCode());
        var after = json(s.get("/api/tags")).get("models").toString();
        assertTrue(after.contains("tale:v2"));
        var del = s.send("DELETE", "/api/delete", "{\"name\":\"tale:v2\"}");
        assertEquals(200, del.statusCode());
        assertEquals("", del.body());
        assertFalse(json(s.get("/api/tags")).get("models").toString().contains("tale:v2"));
        var pull = lines(s.post("/api/pull", "{\"name\":\"stories\"}").body());
        assertEquals("success", pull.getLast().get("status").asText());
    }

    @Test
    void getWithJsonContentTypeAndNoBody() throws Exception {
        var r = s.send("GET", "/api/tags", null);
        assertEquals(200, r.statusCode());
        assertTrue(json(s.get("/api/ps")).get("models").isArray());
    }

    @Test
    void embedAndLegacyEmbeddings() throws Exception {
        var r = json(s.post("/api/embed", "{\"model\":\"stories\",\"input\":[\"Once upon a time\",\"Lily\"]}"));
        assertEquals(2, r.get("embeddings").size());
        for (JsonNode v : r.get("embeddings")) {
            assertEquals(64, v.size());
            double sum = 0;
            for (JsonNode x : v) sum += x.asDouble() * x.asDouble();
            assertEquals(1.0, sum, 1e-4, "L2-normalized");
        }
        assertEquals(5 + 2, r.get("prompt_eval_count").asInt(), "BOS + tokens of each input");
        assertTrue(r.get("total_duration").asLong() > 0);
        var one = json(s.post("/api/embed", "{\"model\":\"stories\",\"input\":\"Lily\",\"dimensions\":8}"));
        assertEquals(8, one.get("embeddings").get(0).size());
        // the same text gives the same vector; the truncated one is the renormalized prefix
        JsonNode full = r.get("embeddings").get(1);
        double n = 0;
        for (int i = 0; i < 8; i++) n += full.get(i).asDouble() * full.get(i).asDouble();
        assertEquals(full.get(3).asDouble() / Math.sqrt(n), one.get("embeddings").get(0).get(3).asDouble(), 1e-5);
        var empty = json(s.post("/api/embed", "{\"model\":\"stories\"}"));
        assertEquals(0, empty.get("embeddings").size());
        var legacy = json(s.post("/api/embeddings", "{\"model\":\"stories\",\"prompt\":\"Lily\"}"));
        assertEquals(64, legacy.get("embedding").size());
        double norm = 0;
        for (JsonNode x : legacy.get("embedding")) norm += x.asDouble() * x.asDouble();
        assertTrue(Math.abs(norm - 1.0) > 1e-3, "legacy vectors are not normalized");
        assertEquals(legacy.get("embedding").get(0).asDouble() / Math.sqrt(norm), full.get(0).asDouble(), 1e-5);
        assertEquals(0, json(s.post("/api/embeddings", "{\"model\":\"stories\",\"prompt\":\"\"}")).get("embedding").size());
    }
}
