package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.server.http.BindAddress;
import io.mbllm.server.http.MbllmServer;
import io.mbllm.server.http.ServerConfig;
import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.StoredModel;
import io.mbllm.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client verbs end to end against the real {@link MbllmServer} on a temporary store: {@code create} uploads
 * stories260K and the server quantizes it by the {@code :q4} tag to llama-quantize's exact Q4_K_M bytes; then
 * {@code list}, {@code show}, {@code cp}, {@code stop} and {@code rm}.
 */
class CreateAgainstStoreTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    ModelStore store;
    MbllmServer server;

    @BeforeEach
    void start() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        server = MbllmServer.start(ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0)),
                new StoreModelResolver(store));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private FakeServer.Ctx run(Function<CliContext, Object> verb, int expectedExit, String... args) {
        FakeServer.Ctx io = new FakeServer.Ctx(Map.of("MBLLM_HOST", "127.0.0.1:" + server.port()), dir);
        assertEquals(expectedExit, new CommandLine(verb.apply(io.ctx)).execute(args), io.err());
        return io;
    }

    @Test
    void createQ4ThenListShowCopyRemove() throws Exception {
        Path stories = SharedData.require("models/stories260K.gguf");
        Files.writeString(dir.resolve("Modelfile"), "FROM " + stories + "\nTEMPLATE {{ .Prompt }}\nPARAMETER num_ctx 512\n");
        FakeServer.Ctx created = run(CreateCommand::new, 0, "stories:q4");
        assertTrue(created.err().contains("quantizing F32 model to Q4_K_M 100%\n"), created.err());
        assertTrue(created.err().endsWith("writing manifest\nsuccess\n"), created.err());

        StoredModel m = store.show(ModelName.parse("stories:q4"));
        Oracle q4 = Oracle.of("Q4_K_M");
        assertEquals("sha256:" + q4.sha256(), m.manifest().modelLayer().orElseThrow().digest().toString());
        assertEquals(q4.size(), m.manifest().modelLayer().orElseThrow().size());
        assertEquals("{{ .Prompt }}", m.template().orElseThrow());

        run(CreateCommand::new, 0, "stories");
        List<String> lines = run(ListCommand::new, 0).out().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("stories:q4") && l.contains("    304 KB    ")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("stories:latest") && l.contains("    1.2 MB    ")), lines.toString());

        String shown = run(ShowCommand::new, 0, "stories:q4").out();
        assertTrue(shown.contains("    architecture        llama\n") && shown.contains("    quantization        Q4_K_M\n"), shown);
        assertTrue(shown.contains("  Parameters\n    num_ctx    512\n"), shown);
        assertEquals("{{ .Prompt }}\n", run(ShowCommand::new, 0, "stories:q4", "--template").out());

        assertEquals("copied 'stories:q4' to 'tale'\n", run(CopyCommand::new, 0, "stories:q4", "tale").out());
        run(StopCommand::new, 0, "tale");
        assertEquals("deleted 'stories:q4'\ndeleted 'tale'\n", run(RemoveCommand::new, 0, "stories:q4", "tale").out());
        assertEquals(List.of("stories:latest"), store.list().stream().map(s -> s.displayName()).toList());
        assertEquals("Error: model 'gone' not found\n", run(ShowCommand::new, 1, "gone").err());
    }

    @Test
    void q8OfStoriesFailsWithTheQuantizersReason() throws Exception {
        Path stories = SharedData.require("models/stories260K.gguf");
        Files.writeString(dir.resolve("Modelfile"), "FROM " + stories + "\n");
        FakeServer.Ctx io = run(CreateCommand::new, 1, "stories", "-q", "q8_0");
        assertTrue(io.err().contains("Error: cannot quantize to Q8_0") && io.err().contains("blk.0.ffn_down.weight"),
                io.err());
        assertTrue(store.list().isEmpty());
    }

    @Test
    void createWithAdaptersUploadsThemAndShowListsThem() throws Exception {
        Path stories = SharedData.require("models/stories260K.gguf");
        Path a = SharedData.require("testdata/lora-oracle/stories260K-lora-a.f32.gguf");
        Path b = SharedData.require("testdata/lora-oracle/stories260K-lora-b.f32.gguf");
        Files.createDirectories(dir.resolve("b"));
        Files.copy(b, dir.resolve("b/lora.gguf"));
        Files.writeString(dir.resolve("Modelfile"), "FROM " + stories + "\nADAPTER " + a + "\nADAPTER ./b:0.25\n");
        run(CreateCommand::new, 0, "tale");
        StoredModel m = store.show(ModelName.parse("tale"));
        List<String> digests = m.manifest().layers().stream()
                .filter(l -> l.mediaType().equals("application/vnd.ollama.image.adapter"))
                .map(l -> l.digest().toString()).toList();
        assertEquals(List.of(ModelfileRequest.sha256(a), ModelfileRequest.sha256(b)), digests);
        assertEquals(List.of(1f, 0.25f), m.adapterScales());
        String mf = run(ShowCommand::new, 0, "tale", "--modelfile").out();
        assertTrue(mf.contains("\nADAPTER " + m.adapterPaths().get(0) + "\nADAPTER " + m.adapterPaths().get(1) + ":0.25\n"), mf);

        Files.writeString(dir.resolve("Bad"), "FROM " + stories + "\nADAPTER "
                + SharedData.require("testdata/lora-oracle/edge/invalid-arch-gpt2.gguf") + "\n");
        assertEquals("Error: adapter invalid-arch-gpt2.gguf: model arch and LoRA arch mismatch\n",
                run(CreateCommand::new, 1, "bad", "-f", "Bad").err().lines().reduce((x, y) -> y).orElse("") + "\n");
        assertTrue(store.resolve(ModelName.parse("bad")).isEmpty());
    }

    /** llama-quantize's output for one level, from {@code llamacpp-oracle/perplexity.json}. */
    record Oracle(String sha256, long size) {
        static Oracle of(String level) throws java.io.IOException {
            var n = JSON.readTree(SharedData.require("testdata/llamacpp-oracle/perplexity.json").toFile())
                    .path("files").path(level);
            return new Oracle(n.path("sha256").asText(), n.path("size_bytes").asLong());
        }
    }
}
