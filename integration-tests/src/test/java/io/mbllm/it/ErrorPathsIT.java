package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every error path of api-contract.md against the packaged server, over raw HTTP (java.net.http, and a raw
 * socket where a header must be forged): status, content type and message of bad JSON, unknown models, bad
 * names, wrong methods, oversize prompts and bodies, bad options, the OpenAI error envelope and the Host guard.
 */
class ErrorPathsIT {
    @TempDir
    static Path dir;
    static Fixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = Fixture.start(dir);
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    static void assertError(HttpResponse<String> r, int status, String message) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("content-type").orElse(""), r.body());
        String got = Fixture.json(r.body()).get("error").asText();
        assertTrue(got.contains(message), "error \"" + got + "\" should contain \"" + message + "\"");
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return fx.server.post(path, body);
    }

    @Test
    void badJsonAndBodies() throws Exception {
        assertError(post("/api/generate", "{\"model\":"), 400, "Unexpected end-of-input");
        assertError(post("/api/chat", "{nope}"), 400, "Unexpected character");
        assertError(post("/api/generate", ""), 400, "missing request body");
        assertError(post("/api/chat", "[1,2]"), 400, "request body must be a JSON object");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"stream\":\"yes\"}"), 400, "stream");
        assertError(post("/api/generate", "{\"prompt\":\"x\"}"), 400, "model is required");
        assertError(post("/api/show", "{}"), 400, "model is required");
    }

    @Test
    void unknownModels() throws Exception {
        assertError(post("/api/generate", "{\"model\":\"nosuch\",\"prompt\":\"x\"}"), 404, "model 'nosuch' not found");
        assertError(post("/api/chat", "{\"model\":\"nosuch\",\"messages\":[]}"), 404, "model 'nosuch' not found");
        assertError(post("/api/show", "{\"name\":\"nosuch\"}"), 404, "model 'nosuch' not found");
        assertError(post("/api/embed", "{\"model\":\"nosuch\",\"input\":\"x\"}"), 404, "model 'nosuch' not found");
        assertError(fx.server.send("DELETE", "/api/delete", "{\"name\":\"nosuch\"}"), 404, "model 'nosuch' not found");
        assertError(post("/api/copy", "{\"source\":\"nosuch\",\"destination\":\"b\"}"), 404, "model \"nosuch\" not found");
        assertError(post("/api/pull", "{\"name\":\"nosuch\"}"), 404, "pull model manifest: file does not exist");
    }

    @Test
    void badNames() throws Exception {
        assertError(post("/api/generate", "{\"model\":\"bad name!\",\"prompt\":\"x\"}"), 400, "invalid model name");
        assertError(post("/api/show", "{\"model\":\"a/b/c/d/e\"}"), 400, "invalid model name");
        assertError(post("/api/copy", "{\"source\":\"stories\",\"destination\":\"a b\"}"), 400, "destination \"a b\" is invalid");
        assertError(post("/api/copy", "{\"source\":\"-x\",\"destination\":\"b\"}"), 400, "source \"-x\" is invalid");
    }

    @Test
    void wrongMethodsAndPaths() throws Exception {
        var r = fx.server.get("/api/generate");
        assertError(r, 405, "not allowed");
        assertEquals("POST", r.headers().firstValue("allow").orElse(""));
        assertError(post("/api/tags", "{}"), 405, "not allowed");
        assertError(post("/api/delete", "{\"model\":\"stories\"}"), 405, "not allowed");
        assertError(fx.server.send("PUT", "/api/chat", "{}"), 405, "not allowed");
        var nf = fx.server.get("/api/nothing");
        assertEquals(404, nf.statusCode());
        assertEquals("404 page not found", nf.body());
        var v1 = fx.server.get("/v1/chat/completions");
        assertEquals(405, v1.statusCode());
        assertTrue(Fixture.json(v1.body()).get("error").get("message").isTextual());
    }

    @Test
    void oversizePromptsAndBodies() throws Exception {
        String longPrompt = "Once upon a time ".repeat(40);
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + longPrompt + "\",\"truncate\":false,"
                + "\"options\":{\"num_ctx\":64}}"), 400, "the input length exceeds the context length");
        assertError(post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt
                + "\"}],\"truncate\":false,\"options\":{\"num_ctx\":64}}"), 400, "the input length exceeds the context length");
        JsonNode ok = Fixture.json(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + longPrompt + "\",\"stream\":false,"
                + "\"options\":{\"num_ctx\":64,\"num_predict\":3,\"temperature\":0}}").body());
        assertEquals(3, ok.get("eval_count").asInt(), "truncation (the default) cuts the prompt: " + ok);
        assertTrue(ok.get("prompt_eval_count").asInt() <= 64);

        // a body over the server's 64 MiB limit is refused (413), not buffered
        byte[] huge = new byte[(64 << 20) + 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpResponse<String> big = c.send(HttpRequest.newBuilder(fx.server.uri("/api/generate")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, big.statusCode(), big.body());
            assertTrue(Fixture.json(big.body()).get("error").asText().contains("too large"), big.body());
        } catch (IOException closedWhileSending) {
            // the server may answer 413 and close before the client finished sending: also a refusal
        }
        assertTrue(fx.server.isAlive());
        assertEquals(200, fx.server.get("/api/version").statusCode(), "still serving");
    }

    @Test
    void badOptionsAndFields() throws Exception {
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"options\":{\"temperature\":\"hot\"}}"),
                400, "option \"temperature\" must be of type float");
        assertError(post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"options\":{\"top_p\":7}}"), 400, "top_p");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"options\":{\"stop\":5}}"), 400, "stop");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"raw\":true,\"system\":\"s\"}"), 400, "raw");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"keep_alive\":\"5 minutes\"}"), 400, "keep_alive");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"format\":\"xml\"}"), 400, "invalid format");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"think\":true}"), 400,
                "\"stories\" does not support thinking");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"images\":[\"aGk=\"]}"), 400,
                "\"stories\" does not support vision");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"top_logprobs\":21}"), 400, "top_logprobs");
        assertError(post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"), 400, "invalid role");
        assertError(post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\",\"context\":[99999]}"), 400, "invalid context");
        // unknown options and fields are ignored, pretty-printed bodies accepted (what LangChain4j sends)
        var r = post("/api/generate", "{\n  \"model\" : \"stories\",\n  \"prompt\" : \"Lily\",\n  \"stream\" : false,\n"
                + "  \"width\" : 5,\n  \"options\" : {\n    \"num_predict\" : 2,\n    \"mirostat\" : 0,\n    \"no_such_option\" : 1\n  }\n}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, Fixture.json(r.body()).get("eval_count").asInt());
    }

    @Test
    void openAiErrorEnvelope() throws Exception {
        var r = post("/v1/chat/completions", "{\"model\":\"nosuch\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, r.statusCode());
        JsonNode e = Fixture.json(r.body()).get("error");
        assertEquals("not_found_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains("nosuch"));
        assertTrue(e.has("param") && e.get("param").isNull() && e.has("code"));
        var empty = post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[]}");
        assertEquals(400, empty.statusCode());
        assertEquals("[] is too short - 'messages'", Fixture.json(empty.body()).get("error").get("message").asText());
        assertEquals("invalid_request_error", Fixture.json(empty.body()).get("error").get("type").asText());
        var args = post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":"
                + "[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{not json\"}}]}]}");
        assertEquals(400, args.statusCode());
        assertEquals("invalid tool call arguments", Fixture.json(args.body()).get("error").get("message").asText());
        var bad = post("/v1/chat/completions", "{\"model\":\"stories\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals(404, fx.server.get("/v1/models/nosuch").statusCode());
    }

    /** One HTTP/1.1 exchange over a socket with the headers given verbatim; returns the status line and headers. */
    static String rawExchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                if (got.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) break;
            }
            return got.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void hostGuardAndPreflight() throws Exception {
        String forbidden = rawExchange("GET /api/tags HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n");
        assertTrue(forbidden.startsWith("HTTP/1.1 403"), forbidden);
        String local = rawExchange("GET /api/tags HTTP/1.1\r\nHost: localhost:" + fx.server.port() + "\r\nConnection: close\r\n\r\n");
        assertTrue(local.startsWith("HTTP/1.1 200"), local);
        String pre = rawExchange("OPTIONS /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:3000\r\n"
                + "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n");
        assertTrue(pre.startsWith("HTTP/1.1 204"), pre);
        assertTrue(pre.toLowerCase().contains("access-control-allow-origin: http://localhost:3000"), pre);
        // a GET with Content-Type and no body (LangChain4j on /api/tags) is fine
        var tags = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fx.server.baseUrl() + "/api/tags"))
                .header("Content-Type", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, tags.statusCode());
        assertEquals(2, Fixture.json(tags.body()).get("models").size());
    }
}
