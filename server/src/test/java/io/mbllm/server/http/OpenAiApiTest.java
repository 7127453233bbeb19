package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.Json;
import io.mbllm.testkit.SharedData;

/** The OpenAI-compatible endpoints, with the exact SSE framing and order. */
class OpenAiApiTest {
    static TestServer s;
    static String greedy60;

    @BeforeAll
    static void start() throws Exception {
        s = new TestServer(TestServer.config());
        String file = Files.readString(SharedData.require("models/stories260K.expected.once-upon-a-time.n64.txt"), StandardCharsets.UTF_8);
        greedy60 = file.substring("Once upon a time".length(), file.length() - 1);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** The data payloads of an SSE body; checks the framing (every event "data: ...\n\n"). */
    static List<String> events(String body) {
        assertTrue(body.endsWith("\n\n"), "events end with a blank line");
        List<String> out = new ArrayList<>();
        for (String e : body.substring(0, body.length() - 2).split("\n\n", -1)) {
            assertTrue(e.startsWith("data: "), e);
            assertFalse(e.substring(6).contains("\n"), "compact JSON on one line");
            out.add(e.substring(6));
        }
        return out;
    }

    static final String MSG = "\"messages\":[{\"role\":\"system\",\"content\":\"\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Once upon a time\"}]}]";

    @Test
    void chatCompletionNonStreaming() throws Exception {
        var r = s.post("/v1/chat/completions", "{\"model\":\"stories\"," + MSG + ",\"temperature\":0,\"max_tokens\":60,"
                + "\"tool_choice\":\"auto\",\"user\":\"u\",\"n\":1,\"logit_bias\":{}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = json(r);
        assertTrue(j.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", j.get("object").asText());
        assertEquals("stories", j.get("model").asText());
        assertEquals("fp_ollama", j.get("system_fingerprint").asText());
        JsonNode c = j.get("choices").get(0);
        assertEquals(0, c.get("index").asInt());
        assertEquals("assistant", c.get("message").get("role").asText());
        assertEquals(greedy60, c.get("message").get("content").asText());
        assertFalse(c.get("message").has("tool_calls"));
        assertEquals("length", c.get("finish_reason").asText());
        assertEquals(60, j.get("usage").get("completion_tokens").asInt());
        assertEquals(j.get("usage").get("prompt_tokens").asInt() + 60, j.get("usage").get("total_tokens").asInt());
    }

    @Test
    void chatCompletionStreamingOrder() throws Exception {
        var r = s.post("/v1/chat/completions", "{\"model\":\"stories\"," + MSG + ",\"temperature\":0,\"max_completion_tokens\":60,"
                + "\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse(""));
        List<String> ev = events(r.body());
        assertEquals("[DONE]", ev.getLast());
        JsonNode usage = Json.MAPPER.readTree(ev.get(ev.size() - 2));
        assertEquals(0, usage.get("choices").size());
        assertEquals(60, usage.get("usage").get("completion_tokens").asInt(), "max_completion_tokens wins");
        JsonNode finish = Json.MAPPER.readTree(ev.get(ev.size() - 3));
        assertEquals("length", finish.get("choices").get(0).get("finish_reason").asText());
        assertEquals("{}", finish.get("choices").get(0).get("delta").toString());
        StringBuilder text = new StringBuilder();
        String id = null;
        long created = -1;
        for (int i = 0; i < ev.size() - 3; i++) {
            JsonNode chunk = Json.MAPPER.readTree(ev.get(i));
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            JsonNode choice = chunk.get("choices").get(0);
            assertTrue(choice.has("finish_reason") && choice.get("finish_reason").isNull(), "finish_reason: null until the end");
            assertEquals(i == 0, choice.get("delta").has("role"), "role only in the first delta");
            text.append(choice.get("delta").get("content").asText());
            if (id == null) {
                id = chunk.get("id").asText();
                created = chunk.get("created").asLong();
            }
            assertEquals(id, chunk.get("id").asText());
            assertEquals(created, chunk.get("created").asLong());
        }
        assertEquals(greedy60, text.toString());
        assertEquals(id, finish.get("id").asText());
        assertEquals(id, usage.get("id").asText());
    }

    @Test
    void streamingWithoutUsageHasNoUsageChunk() throws Exception {
        var r = s.post("/v1/chat/completions", "{\"model\":\"stories\"," + MSG + ",\"max_tokens\":3,\"stream\":true}");
        List<String> ev = events(r.body());
        assertEquals("[DONE]", ev.getLast());
        assertEquals("length", Json.MAPPER.readTree(ev.get(ev.size() - 2)).get("choices").get(0).get("finish_reason").asText());
        for (String e : ev.subList(0, ev.size() - 1)) assertFalse(Json.MAPPER.readTree(e).has("usage"));
    }

    @Test
    void completions() throws Exception {
        JsonNode j = json(s.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"temperature\":0,\"max_tokens\":60}"));
        assertEquals("text_completion", j.get("object").asText());
        assertTrue(j.get("id").asText().startsWith("cmpl-"));
        assertEquals(greedy60, j.get("choices").get(0).get("text").asText());
        assertEquals("length", j.get("choices").get(0).get("finish_reason").asText());
        var r = s.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"temperature\":0,\"max_tokens\":60,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"best_of\":3,\"echo\":false}");
        List<String> ev = events(r.body());
        assertEquals("[DONE]", ev.getLast());
        assertEquals(60, Json.MAPPER.readTree(ev.get(ev.size() - 2)).get("usage").get("completion_tokens").asInt());
        JsonNode fin = Json.MAPPER.readTree(ev.get(ev.size() - 3)).get("choices").get(0);
        assertEquals("", fin.get("text").asText());
        assertEquals("length", fin.get("finish_reason").asText());
        StringBuilder text = new StringBuilder();
        for (String e : ev.subList(0, ev.size() - 3)) {
            JsonNode c = Json.MAPPER.readTree(e).get("choices").get(0);
            assertTrue(c.get("finish_reason").isNull());
            text.append(c.get("text").asText());
        }
        assertEquals(greedy60, text.toString());
    }

    @Test
    void models() throws Exception {
        JsonNode list = json(s.get("/v1/models"));
        assertEquals("list", list.get("object").asText());
        JsonNode m = list.get("data").get(0);
        assertEquals("stories:latest", m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertEquals("library", m.get("owned_by").asText());
        assertTrue(m.get("created").asLong() > 1_600_000_000L);
        JsonNode one = json(s.get("/v1/models/stories"));
        assertEquals("stories", one.get("id").asText());
        assertEquals(m.get("created"), one.get("created"));
    }

    @Test
    void embeddingsFloatAndBase64() throws Exception {
        JsonNode f = json(s.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":[\"Lily\",\"\"]}"));
        assertEquals("list", f.get("object").asText());
        assertEquals(2, f.get("data").size());
        assertEquals(1, f.get("data").get(1).get("index").asInt());
        JsonNode v = f.get("data").get(0).get("embedding");
        assertEquals(64, v.size());
        JsonNode b = json(s.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":\"Lily\",\"encoding_format\":\"base64\",\"dimensions\":64}"));
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b.get("data").get(0).get("embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64 * 4, bytes.remaining());
        for (int i = 0; i < 64; i++) assertEquals(v.get(i).floatValue(), bytes.getFloat(), 1e-7f);
        assertEquals(2, b.get("usage").get("prompt_tokens").asInt(), "BOS + Lily");
        JsonNode native_ = json(s.post("/api/embed", "{\"model\":\"stories\",\"input\":\"Lily\"}"));
        assertEquals(native_.get("embeddings").get(0).get(5).floatValue(), v.get(5).floatValue(), 1e-7f);
    }
}
