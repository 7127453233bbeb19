package io.mbllm.server.create;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.ParamValue;
import io.mbllm.server.store.Digest;
import io.mbllm.server.store.Layer;
import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.ModelSummary;
import io.mbllm.server.store.StoredModel;
import io.mbllm.testkit.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CreateService} on the real stories260K GGUF (all F32; rows of 64 and 172): quantized model layers are
 * compared with the SHA-256 of llama-quantize's own outputs ({@code llamacpp-oracle/perplexity.json}), plus the
 * tag shorthand, the refusals, progress events, base-model derivation and interrupt-and-retry consistency.
 */
class CreateServiceTest {
    static Path stories;
    static JsonNode oracleFiles;

    @TempDir
    Path root;
    ModelStore store;
    CreateService service;
    String sourceDigest;

    @BeforeAll
    static void shared() throws IOException {
        stories = SharedData.require("models/stories260K.gguf");
        oracleFiles = new ObjectMapper().readTree(
                SharedData.require("testdata/llamacpp-oracle/perplexity.json").toFile()).path("files");
    }

    @BeforeEach
    void upload() throws Exception {
        store = ModelStore.open(root);
        service = new CreateService(store, 2);
        sourceDigest = "sha256:" + oracleFiles.path("F32").path("sha256").asText();
        try (InputStream in = Files.newInputStream(stories)) {
            assertTrue(service.putBlob(sourceDigest, in), "first upload stores the blob");
        }
        try (InputStream in = Files.newInputStream(stories)) {
            assertFalse(service.putBlob(sourceDigest, in), "second upload finds it");
        }
    }

    private CreateRequest fromStories(String name) {
        return CreateRequest.fromFiles(name, Map.of("stories260K.gguf", sourceDigest));
    }

    private static Layer modelLayer(StoredModel m) {
        return m.manifest().modelLayer().orElseThrow();
    }

    private static void assertOracle(String level, StoredModel m) {
        JsonNode want = oracleFiles.path(level);
        Layer l = modelLayer(m);
        assertEquals("sha256:" + want.path("sha256").asText(), l.digest().toString(), level + " bytes as llama-quantize");
        assertEquals(want.path("size_bytes").asLong(), l.size());
    }

    @Test
    void tagShorthandQ4QuantizesToQ4KMExactlyAsLlamaQuantize() throws Exception {
        List<CreateProgress> events = new ArrayList<>();
        StoredModel m = service.create(fromStories("stories:q4"), events::add);
        assertOracle("Q4_K_M", m);
        assertEquals("Q4_K_M", m.details().quantizationLevel());
        assertEquals("llama", m.details().family());
        assertEquals("gguf", m.details().format());
        assertEquals("stories260K.gguf", modelLayer(m).from());
        Digest q = modelLayer(m).digest();

        List<String> statuses = events.stream().map(CreateProgress::status).distinct().toList();
        assertEquals(List.of("parsing GGUF", "quantizing F32 model to Q4_K_M", "verifying conversion",
                "creating new layer " + q, "writing manifest", "success"), statuses);
        List<CreateProgress> bars = events.stream().filter(CreateProgress::hasProgress).toList();
        assertTrue(bars.size() > 3, "several progress lines: " + bars.size());
        long size = Files.size(stories);
        long prev = -1;
        for (CreateProgress p : bars) {
            assertEquals(CreateProgress.QUANTIZE_DIGEST, p.digest());
            assertEquals(size, p.total());
            assertTrue(p.completed() > prev || p.completed() == 0 && prev == -1, "completed grows");
            prev = p.completed();
        }
        assertEquals(size, prev, "ends at 100%");

        List<ModelSummary> listed = store.list();
        assertEquals(List.of("stories:q4"), listed.stream().map(ModelSummary::displayName).toList());
        assertEquals("Q4_K_M", listed.getFirst().details().quantizationLevel());
        assertNoPartials();
    }

    @Test
    void tagShorthandQ2QuantizesToQ2KWithFallbacks() throws Exception {
        StoredModel m = service.create(fromStories("stories:q2"), e -> { });
        assertOracle("Q2_K", m);
        assertEquals("Q2_K", m.config().fileType());
    }

    @Test
    void explicitQuantizeWinsOverTheTag() throws Exception {
        StoredModel m = service.create(fromStories("stories:q2").withQuantize("Q4_k_m"), e -> { });
        assertOracle("Q4_K_M", m);
    }

    @Test
    void q8IsRefusedFor172WideRowsAsLlamaQuantizeDoes() throws Exception {
        CreateException e = assertThrows(CreateException.class,
                () -> service.create(fromStories("stories:latest").withQuantize("q8_0"), p -> { }));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("blk.0.ffn_down.weight") && e.getMessage().contains("172"), e.getMessage());
        assertTrue(store.list().isEmpty());
        assertNoPartials();
        // the tag shorthand refuses the same way
        assertThrows(CreateException.class, () -> service.create(fromStories("stories:q8"), p -> { }));
    }

    @Test
    void plainTagKeepsTheSourceBytes() throws Exception {
        List<String> statuses = new ArrayList<>();
        StoredModel m = service.create(fromStories("stories"), e -> statuses.add(e.status()));
        assertEquals(sourceDigest, modelLayer(m).digest().toString());
        assertEquals("F32", m.details().quantizationLevel());
        assertEquals("llama", m.config().modelFamily());
        assertEquals(List.of("llama"), m.config().modelFamilies());
        assertEquals(List.of("parsing GGUF", "using existing layer " + sourceDigest, "writing manifest", "success"),
                statuses);
        assertEquals(ModelName.parse("stories:latest"), m.name());
    }

    @Test
    void parameterSizeCountsTensorElements() throws Exception {
        // 512x64 embeddings twice, 5 layers of q/o 64x64, k/v 32x64, three 64x172 FFN matrices, 2x64 norms; final norm
        long expected = 2L * 512 * 64 + 5L * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 64 * 172 + 2 * 64) + 64;
        StoredModel m = service.create(fromStories("stories"), e -> { });
        assertEquals(io.mbllm.server.store.ParameterSize.format(expected), m.config().modelType());
        assertEquals("293K", m.config().modelType());
    }

    @Test
    void unsupportedQuantizeNamesOllamasList() {
        CreateException e = assertThrows(CreateException.class,
                () -> service.create(fromStories("s").withQuantize("q6_K"), p -> { }));
        assertEquals(400, e.status());
        assertEquals("unsupported quantization type Q6_K - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0",
                e.getMessage());
    }

    @Test
    void quantizedSourcesAreRefusedUnlessAlreadyAtTheLevel() throws Exception {
        StoredModel q4 = service.create(fromStories("stories:q4"), e -> { });
        CreateException e = assertThrows(CreateException.class,
                () -> service.create(CreateRequest.fromModel("other", "stories:q4").withQuantize("q4_K_S"), p -> { }));
        assertEquals("quantization is only supported for F16, BF16 and F32 models", e.getMessage());
        StoredModel same = service.create(CreateRequest.fromModel("other", "stories:q4").withQuantize("q4_K_M"), p -> { });
        assertEquals(modelLayer(q4).digest(), modelLayer(same).digest());
    }

    @Test
    void derivedModelKeepsBaseLayersAndMergesParameters() throws Exception {
        service.create(fromStories("base").withContent("{{ .Prompt }}", "be brief",
                Map.of("temperature", 0.7, "stop", List.of("<|im_end|>")), List.of(), List.of("MIT")), e -> { });
        List<String> statuses = new ArrayList<>();
        StoredModel d = service.create(CreateRequest.fromModel("derived:v1", "base").withContent("", "be verbose",
                Map.of("temperature", 0.2, "top_k", 20), List.of(new Message("user", "hi")), List.of()),
                e -> statuses.add(e.status()));
        assertEquals(sourceDigest, modelLayer(d).digest().toString());
        assertEquals("base:latest", d.details().parentModel());
        assertEquals("{{ .Prompt }}", d.template().orElseThrow());
        assertEquals("be verbose", d.system().orElseThrow());
        assertEquals(List.of("MIT"), d.licenses());
        assertEquals(List.of(new Message("user", "hi")), d.messages());
        assertEquals(new ParamValue.StringList(List.of("<|im_end|>")), d.parameters().get("stop").orElseThrow());
        assertEquals(Set.of("stop", "temperature", "top_k"), d.parameters().values().keySet());
        assertEquals(0.2f, ((ParamValue.FloatValue) d.parameters().get("temperature").orElseThrow()).value(), 1e-6);
        assertTrue(statuses.contains("using existing layer " + sourceDigest), statuses.toString());
        assertTrue(statuses.stream().anyMatch(s -> s.startsWith("creating new layer")), statuses.toString());
        assertEquals("writing manifest", statuses.get(statuses.size() - 2));
        // one system layer only: the base's was replaced
        assertEquals(1, d.manifest().layers().stream()
                .filter(l -> l.mediaType().equals(LayerKind.SYSTEM.mediaType())).count());
    }

    @Test
    void interruptedQuantizeLeavesNothingListedAndARetrySucceeds() throws Exception {
        service.create(fromStories("stories"), e -> { });
        Set<Path> blobsBefore = blobFiles();
        InterruptedException cancelled = assertThrows(InterruptedException.class,
                () -> service.create(fromStories("stories:q4"), p -> {
                    if (p.hasProgress() && p.completed() > p.total() / 2) {
                        Thread.currentThread().interrupt();
                    }
                }));
        assertFalse(Thread.interrupted(), "the interrupt was consumed: " + cancelled);
        assertEquals(List.of("stories:latest"), store.list().stream().map(ModelSummary::displayName).toList());
        assertEquals(blobsBefore, blobFiles(), "no blob or partial file left behind");

        // a fresh store on the same root (as after a restart) sees the same, and the retry works
        store = ModelStore.open(root);
        service = new CreateService(store, 2);
        StoredModel m = service.create(fromStories("stories:q4"), e -> { });
        assertOracle("Q4_K_M", m);
        assertEquals(Set.of("stories:latest", "stories:q4"),
                store.list().stream().map(ModelSummary::displayName).collect(Collectors.toSet()));
    }

    @Test
    void requestErrorsCarryTheContractMessages() throws Exception {
        assertError(400, "neither 'from' or 'files' was specified", CreateRequest.fromModel("x", ""));
        assertError(404, "model 'nope' not found", CreateRequest.fromModel("x", "nope"));
        assertError(400, "invalid model name", CreateRequest.fromModel("bad name!", "nope"));
        assertError(400, "invalid digest format", CreateRequest.fromFiles("x", Map.of("m.gguf", "sha256:12")));
        assertError(400, "file path must be relative", CreateRequest.fromFiles("x", Map.of("../m.gguf", sourceDigest)));
        assertError(400, "file path must be relative", CreateRequest.fromFiles("x", Map.of("/m.gguf", sourceDigest)));
        String text = "sha256:" + Digest.of("not a model".getBytes(StandardCharsets.UTF_8)).hex();
        service.putBlob(text, new ByteArrayInputStream("not a model".getBytes(StandardCharsets.UTF_8)));
        assertError(400, "supplied file was not in GGUF format", CreateRequest.fromFiles("x", Map.of("m.gguf", text)));
        assertError(400, "unknown type", CreateRequest.fromFiles("x", Map.of("m.txt", text)));
        // several adapters are allowed (mbllm); a model GGUF given as an adapter is refused with llama.cpp's text
        assertError(400, "adapter a.gguf: expect general.type to be 'adapter', but got: ", new CreateRequest("x",
                "", Map.of("m.gguf", sourceDigest), Map.of("a.gguf", sourceDigest), "", "", "", List.of(), Map.of(),
                List.of(), "", "", "", true));
        assertError(400, "option \"temperature\" must be of type float32", fromStories("x")
                .withContent("", "", Map.of("temperature", "hot"), List.of(), List.of()));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void blobUploadChecksTheDigest() {
        CreateException e = assertThrows(CreateException.class, () -> service.putBlob(
                "sha256:" + "0".repeat(64), new ByteArrayInputStream(new byte[] {1, 2, 3})));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("digest mismatch, expected \"sha256:" + "0".repeat(64)), e.getMessage());
        assertThrows(CreateException.class, () -> service.hasBlob("md5:abc"));
    }

    @Test
    void legacyModelfileFormResolvesPathsOnTheServer() throws Exception {
        Path dir = stories.getParent();
        String mf = "FROM ./stories260K.gguf\nSYSTEM \"\"\"Tell a story.\"\"\"\nPARAMETER temperature 0.5\n";
        CreateRequest req = new CreateRequest("legacy", "", Map.of(), Map.of(), "", "", "", List.of(), Map.of(),
                List.of(), "", mf, dir.toString(), true);
        StoredModel m = service.create(req, e -> { });
        assertEquals(sourceDigest, modelLayer(m).digest().toString());
        assertEquals("Tell a story.", m.system().orElseThrow());
        assertTrue(m.parameters().get("temperature").isPresent());
    }

    @Test
    void requestJsonAcceptsLegacyFieldNames() throws Exception {
        ObjectMapper om = new ObjectMapper();
        CreateRequest r = CreateRequest.fromJson(om.readTree("""
                {"name":"a:q4","quantization":"q4_K_M","files":{"x.gguf":"sha256:%s"},"license":"MIT",
                 "parameters":{"stop":["a","b"],"temperature":0.1},"messages":[{"role":"user","content":"hi"}],
                 "unknown":1}""".formatted("a".repeat(64))));
        assertEquals("a:q4", r.model());
        assertEquals("q4_K_M", r.quantize());
        assertEquals(List.of("MIT"), r.license());
        assertEquals(List.of("a", "b"), r.parameters().get("stop"));
        assertEquals(List.of(new Message("user", "hi")), r.messages());
        assertTrue(r.stream());
        assertFalse(CreateRequest.fromJson(om.readTree("{\"model\":\"m\",\"stream\":false}")).stream());
        assertEquals(400, assertThrows(CreateException.class,
                () -> CreateRequest.fromJson(om.readTree("{\"model\":1}"))).status());
        Map<String, Object> json = new LinkedHashMap<>(new CreateProgress("quantizing F16 model to Q4_K_M",
                CreateProgress.QUANTIZE_DIGEST, 10, 5).toJsonMap());
        assertEquals("{\"status\":\"quantizing F16 model to Q4_K_M\",\"digest\":\"0000000000000000000\","
                + "\"total\":10,\"completed\":5}", om.writeValueAsString(json));
        assertEquals("{\"status\":\"success\"}", om.writeValueAsString(CreateProgress.success().toJsonMap()));
    }

    private void assertError(int status, String message, CreateRequest req) {
        CreateException e = assertThrows(CreateException.class, () -> service.create(req, p -> { }));
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private Set<Path> blobFiles() throws IOException {
        try (Stream<Path> s = Files.list(store.blobs().dir())) {
            return s.collect(Collectors.toSet());
        }
    }

    private void assertNoPartials() throws IOException {
        try (Stream<Path> s = Files.list(store.blobs().dir())) {
            List<Path> partial = s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), partial);
        }
    }
}
