package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.openai.OpenAiChatModel;

/**
 * Models created through the packaged server's API — {@code POST /api/blobs} then {@code POST /api/create} — and
 * then used by LangChain4j: stories260K as uploaded (F32, run.c's text) and quantized by the tag shorthand
 * ({@code :q4}, llama-quantize's bytes), plus the blob and create error paths.
 */
class CreateApiIT {
    /** sha256 of stories260K.gguf (shared/models/README.md). */
    static final String STORIES = "sha256:270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
    /** sha256 of llama-quantize's Q4_K_M of stories260K.gguf (the create branch's oracle). */
    static final String Q4_K_M = "sha256:7f61512f1889080c73b2afd3ac7fdfe55a368e83570b20e5019829adfa734a2a";

    @TempDir
    static Path dir;
    static ServerProcess server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("models"));
        var probe = server.send("HEAD", "/api/blobs/" + STORIES, null);
        if (probe.statusCode() == 501) {
            server.close();
            // /api/blobs and /api/create arrive with branch clicreate; the server answers 501 until then
            Assumptions.abort("the packaged server has no /api/blobs yet (501)");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> upload(String digest, HttpRequest.BodyPublisher body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri("/api/blobs/" + digest)).timeout(Duration.ofSeconds(60)).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<JsonNode> lines(String body) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : body.split("\n")) if (!l.isEmpty()) out.add(Fixture.json(l));
        return out;
    }

    static synchronized void uploadStories() throws Exception {
        if (server.send("HEAD", "/api/blobs/" + STORIES, null).statusCode() == 200) return;
        assertEquals(201, upload(STORIES, HttpRequest.BodyPublishers.ofFile(TestModels.stories())).statusCode());
        assertEquals(200, upload(STORIES, HttpRequest.BodyPublishers.ofFile(TestModels.stories())).statusCode(), "already present");
        assertEquals(200, server.send("HEAD", "/api/blobs/" + STORIES, null).statusCode());
    }

    @Test
    void createdModelsServeLangChain4j() throws Exception {
        uploadStories();
        var r = server.post("/api/create", "{\"model\":\"tale\",\"files\":{\"stories260K.gguf\":\"" + STORIES + "\"},"
                + "\"template\":\"{{ .Prompt }}\",\"parameters\":{\"temperature\":0,\"num_predict\":60}}");
        assertEquals(200, r.statusCode(), r.body());
        List<JsonNode> ls = lines(r.body());
        assertEquals("parsing GGUF", ls.getFirst().get("status").asText(), r.body());
        assertEquals("success", ls.getLast().get("status").asText(), r.body());

        // the Modelfile parameters (temperature 0, num_predict 60) come from the created model, not the client
        OllamaChatModel ollama = OllamaChatModel.builder().baseUrl(server.baseUrl()).modelName("tale").timeout(Duration.ofSeconds(60)).build();
        assertEquals(TestModels.onceUponATime60(), ollama.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build())
                .aiMessage().text());

        var q = server.post("/api/create", "{\"model\":\"tale:q4\",\"from\":\"tale\",\"stream\":false}");
        assertEquals(200, q.statusCode(), q.body());
        assertEquals("success", Fixture.json(q.body()).get("status").asText());
        JsonNode show = Fixture.json(server.post("/api/show", "{\"model\":\"tale:q4\",\"verbose\":true}").body());
        assertEquals("Q4_K_M", show.get("details").get("quantization_level").asText());
        assertTrue(show.get("modelfile").asText().contains("sha256-" + Q4_K_M.substring(7)),
                "the Q4_K_M bytes are llama-quantize's: " + show.get("modelfile").asText());

        OpenAiChatModel openai = OpenAiChatModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("x").modelName("tale:q4")
                .temperature(0.0).maxTokens(30).timeout(Duration.ofSeconds(60)).build();
        String text = openai.chat("Once upon a time");
        assertTrue(text.length() > 20 && text.matches("(?s)[ -~\\n]+"), "the quantized model still writes English: " + text);

        var names = OllamaModels.builder().baseUrl(server.baseUrl()).build().availableModels().content().stream()
                .map(m -> m.getName()).sorted().toList();
        assertEquals(List.of("tale:latest", "tale:q4"), names);
    }

    @Test
    void blobAndCreateErrors() throws Exception {
        uploadStories();
        var mismatch = upload("sha256:" + "0".repeat(64), HttpRequest.BodyPublishers.ofString("hello"));
        assertEquals(400, mismatch.statusCode());
        assertTrue(Fixture.json(mismatch.body()).get("error").asText().startsWith("digest mismatch, expected \"sha256:" + "0".repeat(64)),
                mismatch.body());
        var bad = upload("md5:abc", HttpRequest.BodyPublishers.ofString("x"));
        assertEquals(400, bad.statusCode());
        assertEquals("invalid digest format", Fixture.json(bad.body()).get("error").asText());
        assertEquals(404, server.send("HEAD", "/api/blobs/sha256:" + "1".repeat(64), null).statusCode());

        var q6 = server.post("/api/create", "{\"model\":\"s\",\"quantize\":\"q6_K\",\"files\":{\"s.gguf\":\"" + STORIES + "\"}}");
        assertEquals(400, q6.statusCode(), q6.body());
        assertTrue(Fixture.json(q6.body()).get("error").asText().startsWith("unsupported quantization type Q6_K"), q6.body());
        var none = server.post("/api/create", "{\"model\":\"s\"}");
        assertEquals(400, none.statusCode());
        assertEquals("neither 'from' or 'files' was specified", Fixture.json(none.body()).get("error").asText());
        var missing = server.post("/api/create", "{\"model\":\"s\",\"from\":\"nope\"}");
        assertEquals(404, missing.statusCode());
        assertEquals("model 'nope' not found", Fixture.json(missing.body()).get("error").asText());
        var badName = server.post("/api/create", "{\"model\":\"bad name!\",\"files\":{\"s.gguf\":\"" + STORIES + "\"}}");
        assertEquals(400, badName.statusCode());
        assertEquals(404, server.post("/api/show", "{\"model\":\"s\"}").statusCode(), "nothing was created");
    }
}
