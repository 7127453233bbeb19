package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static io.mbllm.server.http.TestServer.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;

/** {@code /api/blobs} and {@code /api/create} over HTTP on a real store: upload, create by tag, stream, errors. */
class CreateApiTest {
    static final String STORIES = "sha256:270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
    static final String Q4_K_M = "sha256:7f61512f1889080c73b2afd3ac7fdfe55a368e83570b20e5019829adfa734a2a";

    @TempDir
    Path root;
    ModelStore store;
    MbllmServer server;
    HttpClient c = HttpClient.newHttpClient();
    String base;

    @BeforeEach
    void start() throws Exception {
        store = ModelStore.open(root);
        // a body limit far below the model file: blob uploads must be streamed to disk, not aggregated
        ServerConfig cfg = ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0)).withScheduler(TestServer.config())
                .withMaxBodyBytes(64 << 10);
        server = MbllmServer.start(cfg, new StoreModelResolver(store));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return send("POST", path, HttpRequest.BodyPublishers.ofString(json));
    }

    private void upload() throws Exception {
        assertEquals(404, send("HEAD", "/api/blobs/" + STORIES, HttpRequest.BodyPublishers.noBody()).statusCode());
        assertEquals(201, send("POST", "/api/blobs/" + STORIES, HttpRequest.BodyPublishers.ofFile(TestServer.stories())).statusCode());
        assertEquals(200, send("POST", "/api/blobs/" + STORIES, HttpRequest.BodyPublishers.ofFile(TestServer.stories())).statusCode());
        assertEquals(200, send("HEAD", "/api/blobs/" + STORIES, HttpRequest.BodyPublishers.noBody()).statusCode());
    }

    @Test
    void blobsAreStreamedToTheStoreAndChecked() throws Exception {
        upload();
        assertTrue(store.blobs().exists(io.mbllm.server.store.Digest.parse(STORIES)));
        HttpResponse<String> bad = send("POST", "/api/blobs/sha256:" + "0".repeat(64),
                HttpRequest.BodyPublishers.ofString("hello"));
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).get("error").asText().startsWith("digest mismatch, expected \"sha256:" + "0".repeat(64)));
        assertEquals(400, send("HEAD", "/api/blobs/md5:x", HttpRequest.BodyPublishers.noBody()).statusCode());
        assertEquals("invalid digest format", json(send("POST", "/api/blobs/sha256:12", HttpRequest.BodyPublishers.ofString("x")))
                .get("error").asText());
        try (Stream<Path> s = Files.list(store.blobs().dir())) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "spool files removed");
        }
    }

    @Test
    void createByTagStreamsProgressAndStoresLlamaQuantizeBytes() throws Exception {
        upload();
        HttpResponse<String> r = post("/api/create",
                "{\"model\":\"stories:q4\",\"files\":{\"stories260K.gguf\":\"" + STORIES + "\"}}");
        assertEquals(200, r.statusCode());
        assertEquals("application/x-ndjson", r.headers().firstValue("content-type").orElse(""));
        List<JsonNode> ls = lines(r.body());
        assertEquals("parsing GGUF", ls.getFirst().get("status").asText());
        assertTrue(ls.stream().anyMatch(l -> l.get("status").asText().equals("quantizing F32 model to Q4_K_M")
                && l.get("digest").asText().equals("0000000000000000000") && l.get("total").asLong() == 1185376));
        assertTrue(ls.stream().anyMatch(l -> l.get("status").asText().equals("creating new layer " + Q4_K_M)));
        assertEquals("{\"status\":\"success\"}", ls.getLast().toString());
        assertEquals(Q4_K_M, store.show(ModelName.parse("stories:q4")).manifest().modelLayer().orElseThrow().digest().toString());

        JsonNode tags = json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/tags")).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals("stories:q4", tags.get("models").get(0).get("name").asText());
        assertEquals("Q4_K_M", tags.get("models").get(0).get("details").get("quantization_level").asText());

        HttpResponse<String> once = post("/api/create", "{\"model\":\"tale\",\"from\":\"stories:q4\",\"system\":\"Hi\",\"stream\":false}");
        assertEquals(200, once.statusCode());
        assertEquals("{\"status\":\"success\"}", once.body().strip());
    }

    @Test
    void errorsBeforeAndAfterTheStreamStarts() throws Exception {
        upload();
        HttpResponse<String> q6 = post("/api/create", "{\"model\":\"s\",\"quantize\":\"q6_K\",\"files\":{\"s.gguf\":\"" + STORIES + "\"}}");
        assertEquals(400, q6.statusCode());
        assertEquals("unsupported quantization type Q6_K - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0",
                json(q6).get("error").asText());
        HttpResponse<String> none = post("/api/create", "{\"model\":\"s\"}");
        assertEquals(400, none.statusCode());
        assertEquals("neither 'from' or 'files' was specified", json(none).get("error").asText());
        HttpResponse<String> missing = post("/api/create", "{\"model\":\"s\",\"from\":\"nope\"}");
        assertEquals(404, missing.statusCode());
        assertEquals("model 'nope' not found", json(missing).get("error").asText());

        HttpResponse<String> q8 = post("/api/create", "{\"model\":\"s:q8\",\"files\":{\"s.gguf\":\"" + STORIES + "\"}}");
        assertEquals(200, q8.statusCode(), "the refusal comes after 'parsing GGUF' was streamed");
        List<JsonNode> ls = lines(q8.body());
        assertTrue(ls.getLast().get("error").asText().contains("blk.0.ffn_down.weight"), q8.body());
        assertTrue(store.list().isEmpty());
    }
}
