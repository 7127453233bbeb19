package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.cli.FakeServer.Reply;
import io.mbllm.server.create.CreateException;
import io.mbllm.server.create.CreateProgress;
import io.mbllm.server.create.CreateRequest;
import io.mbllm.server.create.CreateService;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.ModelSummary;
import io.mbllm.server.store.StoredModel;
import io.mbllm.testkit.SharedData;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mbllm create} and {@code list} end to end through HTTP, with the blob and create routes answered by
 * the real {@link CreateService} on a temporary store (the HTTP server proper is another module): the CLI
 * uploads stories260K, the service quantizes it by the {@code :q4} tag, and the stored weights are
 * llama-quantize's Q4_K_M bytes.
 */
class CreateAgainstStoreTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    FakeServer server;
    ModelStore store;

    @BeforeEach
    void start() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        CreateService service = new CreateService(store, 2);
        server = new FakeServer();
        server.on("HEAD /api/blobs/*", r -> Reply.empty(has(service, r.path().substring(11)) ? 200 : 404));
        server.on("POST /api/blobs/*", r -> {
            try {
                return Reply.empty(service.putBlob(r.path().substring(11), new ByteArrayInputStream(r.body())) ? 201 : 200);
            } catch (CreateException e) {
                return Reply.json(e.status(), JSON.writeValueAsString(Map.of("error", e.getMessage())));
            }
        });
        server.on("POST /api/create", r -> {
            List<String> lines = new ArrayList<>();
            try {
                service.create(CreateRequest.fromJson(JSON.readTree(r.body())),
                        p -> lines.add(write(p.toJsonMap())));
            } catch (CreateException e) {
                if (lines.isEmpty()) return Reply.json(e.status(), write(Map.of("error", e.getMessage())));
                lines.add(write(Map.of("error", e.getMessage())));
            } catch (InterruptedException e) {
                throw new java.io.IOException(e);
            }
            return Reply.ndjson(lines.toArray(String[]::new));
        });
        server.on("GET /api/tags", r -> {
            List<Map<String, Object>> models = new ArrayList<>();
            for (ModelSummary s : store.list()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", s.displayName());
                m.put("model", s.displayName());
                m.put("modified_at", s.modifiedAt().toString());
                m.put("size", s.size());
                m.put("digest", s.digest());
                models.add(m);
            }
            return Reply.json(200, write(Map.of("models", models)));
        });
    }

    private static boolean has(CreateService s, String digest) {
        try {
            return s.hasBlob(digest);
        } catch (CreateException e) {
            return false;
        }
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createQ4ThenListIt() throws Exception {
        Path stories = SharedData.require("models/stories260K.gguf");
        Files.writeString(dir.resolve("Modelfile"), "FROM " + stories + "\nTEMPLATE {{ .Prompt }}\nPARAMETER num_ctx 512\n");
        FakeServer.Ctx io = server.ctx(dir);
        assertEquals(0, new CommandLine(new CreateCommand(io.ctx)).execute("stories:q4"), io.err());
        assertTrue(io.err().contains("quantizing F32 model to Q4_K_M 100%\n"), io.err());
        assertTrue(io.err().endsWith("writing manifest\nsuccess\n"), io.err());

        StoredModel m = store.show(ModelName.parse("stories:q4"));
        JsonOracle q4 = JsonOracle.of("Q4_K_M");
        assertEquals("sha256:" + q4.sha256(), m.manifest().modelLayer().orElseThrow().digest().toString());
        assertEquals("{{ .Prompt }}", m.template().orElseThrow());
        assertEquals("Q4_K_M", m.details().quantizationLevel());

        // again: the blob is already there, so only HEAD, no upload
        int postsBefore = (int) server.calls().stream().filter(r -> r.method().equals("POST") && r.path().startsWith("/api/blobs/")).count();
        FakeServer.Ctx again = server.ctx(dir);
        assertEquals(0, new CommandLine(new CreateCommand(again.ctx)).execute("stories"), again.err());
        assertEquals(postsBefore, server.calls().stream().filter(r -> r.method().equals("POST") && r.path().startsWith("/api/blobs/")).count());

        FakeServer.Ctx list = server.ctx(dir);
        assertEquals(0, new CommandLine(new ListCommand(list.ctx)).execute());
        List<String> lines = list.out().lines().toList();
        assertEquals(3, lines.size(), list.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("stories:q4") && l.contains("    304 KB    ")), list.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("stories:latest") && l.contains("    1.2 MB    ")), list.out());
    }

    @Test
    void q8OfStoriesFailsWithTheQuantizersReason() throws Exception {
        Path stories = SharedData.require("models/stories260K.gguf");
        Files.writeString(dir.resolve("Modelfile"), "FROM " + stories + "\n");
        FakeServer.Ctx io = server.ctx(dir);
        assertEquals(1, new CommandLine(new CreateCommand(io.ctx)).execute("stories", "-q", "q8_0"));
        assertTrue(io.err().contains("Error: cannot quantize to Q8_0") && io.err().contains("blk.0.ffn_down.weight"),
                io.err());
        assertTrue(store.list().isEmpty());
    }

    /** llama-quantize's output for one level, from {@code llamacpp-oracle/perplexity.json}. */
    record JsonOracle(String sha256, long size) {
        static JsonOracle of(String level) throws java.io.IOException {
            var n = JSON.readTree(SharedData.require("testdata/llamacpp-oracle/perplexity.json").toFile())
                    .path("files").path(level);
            return new JsonOracle(n.path("sha256").asText(), n.path("size_bytes").asLong());
        }
    }
}
