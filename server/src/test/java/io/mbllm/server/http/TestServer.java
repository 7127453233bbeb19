package io.mbllm.server.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.Json;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.MemoryModelResolver;
import io.mbllm.server.sched.SchedulerConfig;
import io.mbllm.testkit.SharedData;

/** A real server on a free loopback port over stories260K (registered as {@code stories}), and an HTTP client. */
final class TestServer implements AutoCloseable {
    final MbllmServer server;
    final MemoryModelResolver resolver;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static Path stories() {
        return SharedData.require("models/stories260K.gguf");
    }

    TestServer(SchedulerConfig sched) throws Exception {
        this(sched, ServerConfig.defaults().maxBodyBytes());
    }

    TestServer(SchedulerConfig sched, int maxBody) throws Exception {
        resolver = new MemoryModelResolver().addFile("stories", stories());
        ServerConfig cfg = ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0)).withScheduler(sched)
                .withMaxBodyBytes(maxBody);
        server = MbllmServer.start(cfg, resolver);
    }

    /** Defaults with 2 threads, 5m keep-alive. */
    static SchedulerConfig config() {
        return SchedulerConfig.defaults().withThreads(2).withDefaultKeepAlive(KeepAlive.DEFAULT);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    /** The NDJSON lines of a body, parsed. */
    static List<JsonNode> lines(String body) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : body.split("\n", -1)) {
            if (l.isEmpty()) continue;
            out.add(Json.MAPPER.readTree(l));
        }
        return out;
    }

    @Override
    public void close() {
        server.close();
    }
}
