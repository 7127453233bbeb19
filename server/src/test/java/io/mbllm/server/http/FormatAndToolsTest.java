package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static io.mbllm.server.http.TestServer.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.Json;
import io.mbllm.server.format.JsonGrammar;
import io.mbllm.server.format.JsonMatcher;
import io.mbllm.server.sched.ModelRef;
import io.mbllm.server.sched.ResolvedModel;

/**
 * {@code format} enforced on a model that knows nothing of JSON (stories260K), and tool calls end to end: a
 * Modelfile template that renders the tools, and a schema that makes the model write a call.
 */
class FormatAndToolsTest {
    static TestServer s;

    static final String TEMPLATE = "{{- if .Tools }}Tools:{{ range .Tools }} {{ .Function.Name }}{{ end }}\n{{ end }}"
            + "{{- range .Messages }}{{ .Content }}{{ end }}";
    static final String CALL_SCHEMA = """
            {"type":"object","properties":{"name":{"enum":["get_weather"]},
             "arguments":{"type":"object","properties":{"city":{"enum":["Tokyo","Paris"]},"days":{"type":"integer"}},
             "required":["city"],"additionalProperties":false}}}""";
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Weather of a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";

    @BeforeAll
    static void start() throws Exception {
        s = new TestServer(TestServer.config());
        var f = TestServer.stories();
        s.resolver.add(new ResolvedModel(ModelRef.parse("toolstories"), f, TEMPLATE, null, Map.of(), List.of(), List.of(),
                "0".repeat(63) + "1", Instant.now(), Files.size(f)));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static void assertValidCall(JsonNode call) {
        assertEquals("get_weather", call.get("name").asText());
        assertTrue(Set.of("Tokyo", "Paris").contains(call.get("arguments").get("city").asText()), call.toString());
        assertTrue(call.get("arguments").get("days").isIntegralNumber(), call.toString());
        assertEquals(2, call.get("arguments").size());
    }

    @Test
    void schemaIsEnforcedOnGenerate() throws Exception {
        for (String temp : new String[] {"0", "1.0"}) {
            var r = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                    + "\"format\":" + CALL_SCHEMA + ",\"options\":{\"temperature\":" + temp + ",\"seed\":7}}"));
            String out = r.get("response").asText();
            assertValidCall(Json.MAPPER.readTree(out));
            assertEquals("stop", r.get("done_reason").asText(), "ends by itself once the value is complete");
        }
    }

    @Test
    void jsonFormatStreamsOnlyValidPrefixes() throws Exception {
        var r = s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Lily\",\"format\":\"json\","
                + "\"options\":{\"temperature\":0.9,\"seed\":3,\"num_predict\":150}}");
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (JsonNode l : lines(r.body())) {
            text.append(l.get("response").asText());
            last = l;
        }
        JsonMatcher m = new JsonMatcher(JsonGrammar.anyObject());
        assertTrue(m.feed(text.toString().getBytes(StandardCharsets.UTF_8)), text.toString());
        if (last.get("done_reason").asText().equals("stop")) {
            assertTrue(Json.MAPPER.readTree(text.toString()).isObject(), text.toString());
        } else {
            assertEquals(150, last.get("eval_count").asInt());
        }
        // without format the same request is free text
        var free = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Lily\",\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":5}}"));
        assertFalse(free.get("response").asText().strip().startsWith("{"));
    }

    @Test
    void toolsAreRenderedThroughTheTemplate() throws Exception {
        var r = json(s.post("/api/chat", "{\"model\":\"toolstories\",\"tools\":" + TOOLS + ",\"_debug_render_only\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}"));
        assertEquals("Tools: get_weather\nWeather?", r.get("debug_info").get("rendered_template").asText());
    }

    @Test
    void chatToolCallsNonStreaming() throws Exception {
        var r = json(s.post("/api/chat", "{\"model\":\"toolstories\",\"stream\":false,\"tools\":" + TOOLS + ",\"format\":"
                + CALL_SCHEMA + ",\"options\":{\"temperature\":0},\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}"));
        JsonNode msg = r.get("message");
        assertEquals("", msg.get("content").asText());
        assertEquals(1, msg.get("tool_calls").size());
        JsonNode call = msg.get("tool_calls").get(0);
        assertTrue(call.get("id").asText().matches("call_[a-z0-9]{8}"));
        assertEquals(0, call.get("function").get("index").asInt());
        assertValidCall(call.get("function"));
        assertEquals("stop", r.get("done_reason").asText());
    }

    @Test
    void chatToolCallsStreaming() throws Exception {
        var r = s.post("/api/chat", "{\"model\":\"toolstories\",\"tools\":" + TOOLS + ",\"format\":" + CALL_SCHEMA
                + ",\"options\":{\"temperature\":0},\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}}]},"
                + "{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"sunny\"},{\"role\":\"user\",\"content\":\"And Tokyo?\"}]}");
        List<JsonNode> ls = lines(r.body());
        assertEquals(2, ls.size(), "the held-back call, then the final line: " + r.body());
        JsonNode callLine = ls.get(0);
        assertFalse(callLine.get("done").asBoolean());
        assertEquals("", callLine.get("message").get("content").asText());
        assertValidCall(callLine.get("message").get("tool_calls").get(0).get("function"));
        assertTrue(ls.get(1).get("done").asBoolean());
        assertEquals("stop", ls.get(1).get("done_reason").asText());
        assertTrue(ls.get(1).has("message"));
    }

    @Test
    void openAiToolCallsAndStructuredOutput() throws Exception {
        String body = "{\"model\":\"toolstories\",\"temperature\":0,\"tools\":" + TOOLS + ",\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"call\",\"strict\":true,\"schema\":" + CALL_SCHEMA + "}},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]";
        JsonNode r = json(s.post("/v1/chat/completions", body + "}"));
        JsonNode choice = r.get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        JsonNode call = choice.get("message").get("tool_calls").get(0);
        assertEquals("function", call.get("type").asText());
        assertTrue(call.get("id").asText().startsWith("call_"));
        assertEquals(0, call.get("index").asInt());
        JsonNode args = Json.MAPPER.readTree(call.get("function").get("arguments").asText());
        assertTrue(Set.of("Tokyo", "Paris").contains(args.get("city").asText()));
        assertEquals("", choice.get("message").get("content").asText());

        List<String> ev = OpenAiApiTest.events(s.post("/v1/chat/completions", body + ",\"stream\":true}").body());
        assertEquals("[DONE]", ev.getLast());
        JsonNode first = Json.MAPPER.readTree(ev.getFirst()).get("choices").get(0).get("delta");
        assertEquals("assistant", first.get("role").asText());
        assertEquals(call.get("function").get("name"), first.get("tool_calls").get(0).get("function").get("name"));
        assertEquals("tool_calls", Json.MAPPER.readTree(ev.get(ev.size() - 2)).get("choices").get(0).get("finish_reason").asText());

        JsonNode obj = json(s.post("/v1/chat/completions", "{\"model\":\"stories\",\"max_tokens\":200,\"seed\":1,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{\"type\":\"object\",\"properties\":"
                + "{\"ok\":{\"type\":\"boolean\"},\"n\":{\"type\":\"integer\"}}}}},\"messages\":[{\"role\":\"user\",\"content\":\"Lily\"}]}"));
        JsonNode parsed = Json.MAPPER.readTree(obj.get("choices").get(0).get("message").get("content").asText());
        assertTrue(parsed.get("ok").isBoolean() && parsed.get("n").isIntegralNumber(), parsed.toString());
    }
}
