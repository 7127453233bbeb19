package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every error path of the contract: status code, content type and message. */
class ErrorPathsTest {
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        s = new TestServer(TestServer.config(), 64 * 1024);
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        String got = json(r).get("error").asText();
        assertTrue(got.contains(message), "error \"" + got + "\" should contain \"" + message + "\"");
    }

    @Test
    void badJsonAndMissingBody() throws Exception {
        assertError(s.post("/api/generate", "{\"model\":"), 400, "Unexpected end-of-input");
        assertError(s.post("/api/chat", "{nope}"), 400, "Unexpected character");
        assertError(s.post("/api/generate", ""), 400, "missing request body");
        assertError(s.post("/api/generate", "[1,2]"), 400, "request body must be a JSON object");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"stream\":\"yes\"}"), 400, "stream");
    }

    @Test
    void unknownAndInvalidModels() throws Exception {
        assertError(s.post("/api/generate", "{\"model\":\"nosuch\",\"prompt\":\"x\"}"), 404, "model 'nosuch' not found");
        assertError(s.post("/api/chat", "{\"model\":\"nosuch\",\"messages\":[]}"), 404, "model 'nosuch' not found");
        assertError(s.post("/api/show", "{\"model\":\"nosuch\"}"), 404, "model 'nosuch' not found");
        assertError(s.post("/api/embed", "{\"model\":\"nosuch\",\"input\":\"x\"}"), 404, "model 'nosuch' not found");
        assertError(s.send("DELETE", "/api/delete", "{\"model\":\"nosuch\"}"), 404, "model 'nosuch' not found");
        assertError(s.post("/api/copy", "{\"source\":\"nosuch\",\"destination\":\"b\"}"), 404, "model \"nosuch\" not found");
        assertError(s.post("/api/generate", "{\"model\":\"bad name!\",\"prompt\":\"x\"}"), 400, "invalid model name");
        assertError(s.post("/api/show", "{}"), 400, "model is required");
        assertError(s.post("/api/generate", "{\"prompt\":\"x\"}"), 400, "model is required");
        assertError(s.post("/api/copy", "{\"source\":\"stories\",\"destination\":\"a b\"}"), 400, "destination \"a b\" is invalid");
        assertError(s.post("/api/copy", "{\"source\":\"-x\",\"destination\":\"b\"}"), 400, "source \"-x\" is invalid");
        assertError(s.post("/api/pull", "{\"name\":\"nosuch\"}"), 404, "pull model manifest: file does not exist");
        assertError(s.post("/api/push", "{\"name\":\"stories\"}"), 400, "push is not supported");
    }

    @Test
    void wrongMethodAndUnknownPath() throws Exception {
        var r = s.get("/api/generate");
        assertError(r, 405, "not allowed");
        assertEquals("POST", r.headers().firstValue("allow").orElse(""));
        assertError(s.post("/api/tags", "{}"), 405, "not allowed");
        assertError(s.post("/api/delete", "{\"model\":\"stories\"}"), 405, "not allowed");
        var nf = s.get("/api/nothing");
        assertEquals(404, nf.statusCode());
        assertEquals("404 page not found", nf.body());
        var v1 = s.get("/v1/chat/completions");
        assertEquals(405, v1.statusCode());
        assertTrue(json(v1).get("error").get("message").isTextual());
    }

    @Test
    void oversizePromptAndBody() throws Exception {
        String longPrompt = "Once upon a time ".repeat(40);
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + longPrompt + "\",\"truncate\":false,"
                + "\"options\":{\"num_ctx\":64}}"), 400, "the input length exceeds the context length");
        assertError(s.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt
                + "\"}],\"truncate\":false,\"options\":{\"num_ctx\":64}}"), 400, "the input length exceeds the context length");
        assertError(s.post("/api/embed", "{\"model\":\"stories\",\"input\":\"" + longPrompt + "\",\"truncate\":false,"
                + "\"options\":{\"num_ctx\":64}}"), 400, "the input length exceeds the context length");
        // truncation allowed (default): the prompt is cut and the request succeeds
        var ok = json(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + longPrompt + "\",\"stream\":false,"
                + "\"options\":{\"num_ctx\":64,\"num_predict\":3,\"temperature\":0}}"));
        assertEquals(3, ok.get("eval_count").asInt());
        assertTrue(ok.get("prompt_eval_count").asInt() <= 64);
        var big = s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + "x".repeat(70 * 1024) + "\"}");
        assertEquals(413, big.statusCode());
        assertTrue(json(big).get("error").asText().contains("too large"));
    }

    @Test
    void badOptionsAndFields() throws Exception {
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"options\":{\"temperature\":\"hot\"}}"),
                400, "option \"temperature\" must be of type float");
        assertError(s.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"options\":{\"top_p\":7}}"), 400, "top_p");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"options\":{\"stop\":5}}"), 400, "stop");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"raw\":true,\"system\":\"s\"}"),
                400, "raw mode does not support template, system, or context");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"keep_alive\":\"5 minutes\"}"), 400, "keep_alive");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"format\":\"xml\"}"), 400, "invalid format");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"think\":\"hard\"}"), 400, "invalid think");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"think\":true}"), 400, "\"stories\" does not support thinking");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"images\":[\"aGk=\"]}"), 400, "\"stories\" does not support vision");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"suffix\":\"y\"}"), 400, "\"stories\" does not support insert");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"template\":\"{{ .Prompt \"}"), 400, "template error");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"top_logprobs\":21}"), 400, "top_logprobs");
        assertError(s.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}"), 400,
                "registry.ollama.ai/library/stories:latest does not support tools");
        assertError(s.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"), 400, "invalid role");
        assertError(s.post("/api/embed", "{\"model\":\"stories\",\"input\":5}"), 400, "invalid input type");
        assertError(s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"context\":[99999]}"), 400, "invalid context");
    }

    @Test
    void unknownFieldsAndOptionsAreIgnored() throws Exception {
        var r = s.post("/api/generate", "{\n  \"model\" : \"stories\",\n  \"prompt\" : \"Lily\",\n  \"stream\" : false,\n"
                + "  \"width\": 3, \"_debug\": {}, \"options\": {\"mirostat\": 2, \"bogus\": 1, \"num_predict\": 2}\n}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, json(r).get("eval_count").asInt());
    }

    @Test
    void openAiErrorEnvelope() throws Exception {
        var r = s.post("/v1/chat/completions", "{\"model\":\"nosuch\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, r.statusCode());
        var e = json(r).get("error");
        assertEquals("not_found_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains("nosuch"));
        assertTrue(e.has("param") && e.get("param").isNull() && e.has("code"));
        assertEquals("false", r.headers().firstValue("x-should-retry").orElse(""));
        var empty = s.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[]}");
        assertEquals(400, empty.statusCode());
        assertEquals("[] is too short - 'messages'", json(empty).get("error").get("message").asText());
        assertEquals("invalid_request_error", json(empty).get("error").get("type").asText());
        var args = s.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":"
                + "[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}]}");
        assertEquals("invalid tool call arguments", json(args).get("error").get("message").asText());
        var img = s.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}");
        assertTrue(json(img).get("error").get("message").asText().startsWith("image URLs are not currently supported"));
        var reason = s.post("/v1/chat/completions", "{\"model\":\"stories\",\"reasoning_effort\":\"huge\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(400, reason.statusCode());
        var enc = s.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":\"x\",\"encoding_format\":\"hex\"}");
        assertEquals("Invalid value for 'encoding_format' = hex. Supported values: ['float', 'base64'].",
                json(enc).get("error").get("message").asText());
        assertEquals(400, s.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":[]}").statusCode());
        assertEquals(400, s.post("/v1/embeddings", "{\"model\":\"stories\",\"input\":[1,2]}").statusCode());
        assertEquals(400, s.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":[\"a\",\"b\"]}").statusCode());
        assertEquals(404, s.get("/v1/models/nosuch").statusCode());
        assertEquals("not_found_error", json(s.get("/v1/models/nosuch")).get("error").get("type").asText());
    }
}
