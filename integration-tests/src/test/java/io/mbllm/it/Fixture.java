package io.mbllm.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A packaged server over a fresh store holding {@code stories} (stories260K) and {@code chatml} (the synthetic
 * ChatML llama), for one test class: {@code start} in {@code @BeforeAll}, {@code close} in {@code @AfterAll}.
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

    /** Seeds both models into {@code dir/models} and starts the server with {@code env}. */
    static Fixture start(Path dir, Map<String, String> env) throws IOException, InterruptedException {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        TestModels.seed(models, "stories", TestModels.stories(), "llama", "292.80K", "F32");
        Path chatml = TestModels.writeChatMl(dir.resolve("chatml.gguf"));
        TestModels.seed(models, "chatml", chatml, "llama", "54.53K", "F32");
        return new Fixture(dir, ServerProcess.start(models, env));
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
