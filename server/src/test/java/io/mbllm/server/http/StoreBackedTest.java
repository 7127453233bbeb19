package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.ParamValue;
import io.mbllm.server.modelfile.Parameters;
import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.ModelBuilder;
import io.mbllm.server.store.ModelConfig;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;

/** The server over the on-disk model store: Modelfile layers (template, system, parameters, messages) take effect. */
class StoreBackedTest {
    @Test
    void storeModelsServeWithTheirLayers(@TempDir Path root) throws Exception {
        ModelStore store = ModelStore.open(root);
        try (ModelBuilder b = store.newModel(); InputStream in = Files.newInputStream(TestServer.stories())) {
            b.addLayer(LayerKind.MODEL.mediaType(), in, null, "stories260K.gguf");
            b.addText(LayerKind.TEMPLATE, "{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}");
            b.addText(LayerKind.SYSTEM, "Once upon a time");
            b.addParameters(Parameters.EMPTY.plus("temperature", new ParamValue.FloatValue(0f))
                    .plus("stop", new ParamValue.StringList(List.of("Lily"))));
            b.addMessages(List.of(new Message("user", "hello")));
            b.config(ModelConfig.of("gguf", "llama", "293K", "F32"));
            b.commit(ModelName.parse("me/tale:v1"));
        }
        ServerConfig cfg = ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0)).withScheduler(TestServer.config());
        try (MbllmServer server = MbllmServer.start(cfg, new StoreModelResolver(store))) {
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            JsonNode tags = json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/tags")).build(), HttpResponse.BodyHandlers.ofString()));
            assertEquals("me/tale:v1", tags.get("models").get(0).get("name").asText());
            assertEquals(Files.readString(root.resolve("manifests/registry.ollama.ai/me/tale/v1")).isEmpty(), false);

            // SYSTEM + TEMPLATE + MESSAGE history render "Once upon a time hello\n\n<prompt>" (same-role turns merged);
            // PARAMETER temperature 0 and stop "Lily" apply
            JsonNode g = json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/generate")).POST(HttpRequest.BodyPublishers
                    .ofString("{\"model\":\"ME/Tale:v1\",\"prompt\":\"\",\"stream\":false}")).build(), HttpResponse.BodyHandlers.ofString()));
            assertEquals("load", g.get("done_reason").asText(), "case-insensitive lookup; empty prompt loads");
            JsonNode r = json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/generate")).POST(HttpRequest.BodyPublishers
                    .ofString("{\"model\":\"me/tale:v1\",\"prompt\":\"\\b\",\"_debug_render_only\":true}")).build(), HttpResponse.BodyHandlers.ofString()));
            assertEquals("Once upon a time hello\n\n\b", r.get("debug_info").get("rendered_template").asText());
            JsonNode chat = json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/chat")).POST(HttpRequest.BodyPublishers
                    .ofString("{\"model\":\"me/tale:v1\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\",\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals("stop", chat.get("done_reason").asText());
            assertFalse(chat.get("message").get("content").asText().contains("Lily"), "the model's stop parameter applies");

            JsonNode show = json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/show")).POST(HttpRequest.BodyPublishers
                    .ofString("{\"model\":\"me/tale:v1\"}")).build(), HttpResponse.BodyHandlers.ofString()));
            assertEquals("Once upon a time", show.get("system").asText());
            assertTrue(show.get("parameters").asText().contains("stop                           \"Lily\""), show.get("parameters").asText());
            assertEquals("hello", show.get("messages").get(0).get("content").asText());

            var copy = c.send(HttpRequest.newBuilder(URI.create(base + "/api/copy")).POST(HttpRequest.BodyPublishers
                    .ofString("{\"source\":\"me/tale:v1\",\"destination\":\"tale2\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, copy.statusCode());
            assertTrue(Files.exists(root.resolve("manifests/registry.ollama.ai/library/tale2/latest")));
            var del = c.send(HttpRequest.newBuilder(URI.create(base + "/api/delete")).method("DELETE", HttpRequest.BodyPublishers
                    .ofString("{\"name\":\"me/tale:v1\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, del.statusCode());
            assertEquals(0, json(c.send(HttpRequest.newBuilder(URI.create(base + "/api/ps")).build(), HttpResponse.BodyHandlers.ofString()))
                    .get("models").size(), "deleting unloads");
            assertEquals(1, store.list().size());
        }
    }
}
