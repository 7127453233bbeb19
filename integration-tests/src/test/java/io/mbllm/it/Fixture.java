package io.mbllm.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A packaged server over a fresh store into which {@code stories} (stories260K) and {@code chatml} (the synthetic
 * ChatML llama) are created through the API — {@code POST /api/blobs/<digest>} then {@code POST /api/create} —
 * for one test class: {@code start} in {@code @BeforeAll}, {@code close} in {@code @AfterAll}.
 */
final class Fixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Tool schema offered in the tool tests, and the JSON schema that makes a model answer with a call to it. */
    static final String CALL_SCHEMA = """
            {"type":"object","properties":{"name":{"enum":["get_weather"]},
             "arguments":{"type":"object","properties":{"city":{"enum":["Tokyo","Paris"]}},
             "required":["city"],"additionalProperties":false}},"required":["name","arguments"],"additionalProperties":false}""";

    final Path dir;
    final ServerProcess server;

    private Fixture(Path dir, ServerProcess server) {
        this.dir = dir;
        this.server = server;
    }

    /** Starts the server with {@code env} on {@code dir/models} and creates both models through its API. */
    static Fixture start(Path dir, Map<String, String> env) throws IOException, InterruptedException {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        Path chatml = TestModels.writeChatMl(dir.resolve("chatml.gguf"));
        ServerProcess server = ServerProcess.start(models, env);
        try {
            create(server, "stories", TestModels.stories());
            create(server, "chatml", chatml);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return new Fixture(dir, server);
    }

    /** Uploads {@code gguf} as a blob and creates {@code name} from it, as {@code mbllm create} does. */
    static void create(ServerProcess server, String name, Path gguf) throws IOException, InterruptedException {
        create(server, name, gguf, null);
    }

    /** {@link #create(ServerProcess, String, Path)}, quantized to {@code quantize} ({@code q8_0}) unless null. */
    static void create(ServerProcess server, String name, Path gguf, String quantize) throws IOException, InterruptedException {
        String digest = "sha256:" + sha256(gguf);
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var up = http.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/blobs/" + digest))
                        .timeout(java.time.Duration.ofSeconds(60)).POST(java.net.http.HttpRequest.BodyPublishers.ofFile(gguf)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (up.statusCode() != 201 && up.statusCode() != 200) {
            throw new AssertionError("upload of " + gguf + " answered " + up.statusCode() + ": " + up.body());
        }
        String q = quantize == null ? "" : ",\"quantize\":\"" + quantize + "\"";
        var r = server.post("/api/create", "{\"model\":\"" + name + "\"" + q + ",\"files\":{\"" + gguf.getFileName()
                + "\":\"" + digest + "\"}}");
        String body = r.body().strip();
        if (r.statusCode() != 200 || !body.endsWith("{\"status\":\"success\"}")) {
            throw new AssertionError("create " + name + " answered " + r.statusCode() + ": " + body);
        }
    }

    static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Fixture start(Path dir) throws IOException, InterruptedException {
        return start(dir, Map.of());
    }

    static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    @Override
    public void close() {
        server.close();
    }
}
