package io.mbllm.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.ModelfileParser;
import io.mbllm.server.modelfile.ParamValue;
import io.mbllm.server.modelfile.Parameters;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** SHA-256 of "hello" (a well-known test vector). */
    private static final String HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @TempDir
    Path root;
    ModelStore store;

    @BeforeEach
    void open() throws IOException {
        store = ModelStore.open(root);
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static ModelName name(String s) throws InvalidModelNameException {
        return ModelName.parse(s);
    }

    /** Files in blobs/ that are not final blobs. */
    private List<String> strayBlobFiles() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("blobs"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.matches("sha256-[0-9a-f]{64}")).toList();
        }
    }

    private StoredModel create(String model, String weights, String template) throws Exception {
        try (ModelBuilder b = store.newModel()) {
            b.addLayer(LayerKind.MODEL.mediaType(), new ByteArrayInputStream(weights.getBytes(StandardCharsets.UTF_8)),
                    null, "rocket-3b-f16.gguf");
            b.addText(LayerKind.TEMPLATE, template);
            b.addText(LayerKind.SYSTEM, "You are Rocket.");
            b.addParameters(Parameters.EMPTY.plus("temperature", new ParamValue.FloatValue(0.7f))
                    .plus("stop", new ParamValue.StringList(List.of("<|im_end|>", "<|im_start|>"))));
            b.addMessages(List.of(new Message("user", "Is Toronto in Canada?"), new Message("assistant", "yes")));
            b.addText(LayerKind.LICENSE, "Apache-2.0");
            b.addText(LayerKind.LICENSE, "Other \"license\"\nline two");
            b.config(ModelConfig.of("gguf", "llama", "3.2B", "Q4_K_M"));
            return b.commit(name(model));
        }
    }

    // ---- blobs ----------------------------------------------------------------------------------------------

    @Test
    void blobIsStoredUnderItsDigestAndReused() throws Exception {
        BlobWrite w = store.blobs().write(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                Digest.parse("sha256:" + HELLO_SHA));
        assertEquals(HELLO_SHA, w.digest().hex());
        assertEquals(5, w.size());
        assertTrue(w.created());
        Path p = root.resolve("blobs/sha256-" + HELLO_SHA);
        assertEquals("hello", Files.readString(p));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        BlobWrite again = store.blobs().write("hello".getBytes(StandardCharsets.UTF_8));
        assertFalse(again.created());
        assertTrue(Files.getLastModifiedTime(p).toInstant().isAfter(Instant.now().minus(Duration.ofMinutes(5))),
                "reuse touches the mtime");
        assertTrue(store.blobs().exists(Digest.parse("sha256-" + HELLO_SHA.toUpperCase())));
        assertEquals(List.of(), strayBlobFiles());
    }

    @Test
    void blobWithWrongDigestIsRefusedAndLeavesNothing() throws Exception {
        Digest wrong = Digest.parse("sha256:" + "0".repeat(64));
        DigestMismatchException e = assertThrows(DigestMismatchException.class, () -> store.blobs().write(
                new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), wrong));
        assertEquals("digest mismatch, expected \"sha256:" + "0".repeat(64) + "\", got \"sha256:" + HELLO_SHA + "\"",
                e.getMessage());
        assertEquals(HELLO_SHA, e.actual().hex());
        try (Stream<Path> s = Files.list(root.resolve("blobs"))) {
            assertEquals(0, s.count(), "neither the blob nor a temp file is left");
        }
        assertFalse(store.blobs().exists(wrong));
    }

    @Test
    void streamFailureMidwayLeavesNothing() throws Exception {
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (++n > 100_000) {
                    throw new IOException("connection reset");
                }
                return 7;
            }
        };
        IOException e = assertThrows(IOException.class, () -> store.blobs().write(failing, null));
        assertEquals("connection reset", e.getMessage());
        try (Stream<Path> s = Files.list(root.resolve("blobs"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void digestFormat() throws Exception {
        for (String bad : List.of("", "sha256:", "sha256:" + "0".repeat(63), "sha512:" + "0".repeat(64),
                "sha256_" + "0".repeat(64), "sha256:" + "g".repeat(64), "0".repeat(64))) {
            assertEquals("invalid digest format", assertThrows(InvalidDigestException.class, () -> Digest.parse(bad))
                    .getMessage(), bad);
        }
        assertEquals("sha256:" + HELLO_SHA, Digest.parse("sha256-" + HELLO_SHA.toUpperCase()).toString());
        assertEquals("sha256-" + HELLO_SHA, Digest.parse("sha256:" + HELLO_SHA).fileName());
    }

    // ---- manifests, list, show ------------------------------------------------------------------------------

    @Test
    void manifestHasOllamasExactShape() throws Exception {
        create("rocket-3b:q4", "GGUF-weights", "{{ .Prompt }}");
        Path mp = root.resolve("manifests/registry.ollama.ai/library/rocket-3b/q4");
        byte[] bytes = Files.readAllBytes(mp);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("}\n") && text.indexOf('\n') == text.length() - 1, "compact JSON plus newline");
        JsonNode m = JSON.readTree(bytes);
        assertEquals(List.of("schemaVersion", "mediaType", "config", "layers"), fieldNames(m));
        assertEquals(2, m.get("schemaVersion").intValue());
        assertEquals("application/vnd.docker.distribution.manifest.v2+json", m.get("mediaType").asText());
        JsonNode config = m.get("config");
        assertEquals(List.of("mediaType", "digest", "size"), fieldNames(config));
        assertEquals("application/vnd.docker.container.image.v1+json", config.get("mediaType").asText());
        List<String> types = new ArrayList<>();
        for (JsonNode l : m.get("layers")) {
            types.add(l.get("mediaType").asText());
            String digest = l.get("digest").asText();
            assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
            byte[] blob = Files.readAllBytes(root.resolve("blobs/" + digest.replace(':', '-')));
            assertEquals("sha256:" + sha(blob), digest, "blob content matches its name");
            assertEquals(blob.length, l.get("size").asLong());
            assertEquals(l == m.get("layers").get(0) ? List.of("mediaType", "digest", "size", "from")
                    : List.of("mediaType", "digest", "size"), fieldNames(l));
        }
        assertEquals(List.of("application/vnd.ollama.image.model", "application/vnd.ollama.image.template",
                "application/vnd.ollama.image.system", "application/vnd.ollama.image.params",
                "application/vnd.ollama.image.messages", "application/vnd.ollama.image.license",
                "application/vnd.ollama.image.license"), types);
        assertEquals("rocket-3b-f16.gguf", m.get("layers").get(0).get("from").asText());

        JsonNode layer3 = m.get("layers").get(3);
        assertEquals("{\"stop\":[\"\\u003c|im_end|\\u003e\",\"\\u003c|im_start|\\u003e\"],\"temperature\":0.7}\n",
                Files.readString(root.resolve("blobs/" + layer3.get("digest").asText().replace(':', '-'))));
        JsonNode layer4 = m.get("layers").get(4);
        assertEquals("[{\"role\":\"user\",\"content\":\"Is Toronto in Canada?\"},{\"role\":\"assistant\",\"content\":\"yes\"}]\n",
                Files.readString(root.resolve("blobs/" + layer4.get("digest").asText().replace(':', '-'))));

        byte[] cfgBytes = Files.readAllBytes(root.resolve("blobs/" + config.get("digest").asText().replace(':', '-')));
        assertEquals(cfgBytes.length, config.get("size").asLong());
        JsonNode cfg = JSON.readTree(cfgBytes);
        assertEquals(List.of("model_format", "model_family", "model_families", "model_type", "file_type", "renderer",
                "parser", "requires", "architecture", "os", "rootfs"), fieldNames(cfg));
        assertEquals("gguf", cfg.get("model_format").asText());
        assertEquals("llama", cfg.get("model_families").get(0).asText());
        assertEquals("3.2B", cfg.get("model_type").asText());
        assertEquals("Q4_K_M", cfg.get("file_type").asText());
        assertEquals("layers", cfg.get("rootfs").get("type").asText());
        assertEquals(7, cfg.get("rootfs").get("diff_ids").size());
        assertEquals(m.get("layers").get(0).get("digest"), cfg.get("rootfs").get("diff_ids").get(0));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void listReportsNameSizeDigestTimeAndDetails() throws Exception {
        assertEquals(List.of(), store.list());
        create("rocket-3b:q4", "GGUF-weights", "{{ .Prompt }}");
        List<ModelSummary> list = store.list();
        assertEquals(1, list.size());
        ModelSummary s = list.getFirst();
        Path mp = root.resolve("manifests/registry.ollama.ai/library/rocket-3b/q4");
        byte[] manifest = Files.readAllBytes(mp);
        assertEquals("rocket-3b:q4", s.displayName());
        assertEquals(sha(manifest), s.digest());
        assertEquals(Files.getLastModifiedTime(mp).toInstant(), s.modifiedAt());
        long expectedSize = 0;
        for (JsonNode l : JSON.readTree(manifest).get("layers")) {
            expectedSize += l.get("size").asLong();
        }
        expectedSize += JSON.readTree(manifest).get("config").get("size").asLong();
        assertEquals(expectedSize, s.size());
        assertEquals(new ModelDetails("", "gguf", "llama", List.of("llama"), "3.2B", "Q4_K_M"), s.details());
    }

    @Test
    void showReadsEveryLayerAndRendersAReparseableModelfile() throws Exception {
        create("rocket-3b:q4", "GGUF-weights", "{{ .System }} {{ .Prompt }}");
        StoredModel m = store.show(name("ROCKET-3B:Q4"));
        assertEquals(name("rocket-3b:q4"), m.name(), "case-insensitive lookup keeps the stored spelling");
        assertEquals(Optional.of("{{ .System }} {{ .Prompt }}"), m.template());
        assertEquals(Optional.of("You are Rocket."), m.system());
        assertEquals(List.of("Apache-2.0", "Other \"license\"\nline two"), m.licenses());
        assertEquals(List.of(new Message("user", "Is Toronto in Canada?"), new Message("assistant", "yes")),
                m.messages());
        assertEquals(new ParamValue.StringList(List.of("<|im_end|>", "<|im_start|>")),
                m.parameters().get("stop").orElseThrow());
        assertEquals(new ParamValue.FloatValue(0.7f), m.parameters().get("temperature").orElseThrow());
        assertEquals("GGUF-weights", Files.readString(m.modelPath().orElseThrow()));
        assertEquals("rocket-3b-f16.gguf", m.details().parentModel());
        String text = m.modelfileText();
        assertTrue(text.startsWith("# Modelfile generated by \"ollama show\"\n"
                + "# To build a new Modelfile based on this, replace FROM with:\n# FROM rocket-3b:q4\n\nFROM "
                + root.resolve("blobs").toAbsolutePath()), text);
        assertEquals(m.toModelfile(), ModelfileParser.parse(text));
        assertThrows(ModelNotFoundException.class, () -> store.show(name("nope")));
        assertEquals("model 'nope:latest' not found",
                assertThrows(ModelNotFoundException.class, () -> store.show(name("nope"))).getMessage());
    }

    // ---- copy, delete, overwrite, GC ------------------------------------------------------------------------

    @Test
    void copySharesBlobsAndDeleteCollectsOnlyUnreferencedOnes() throws Exception {
        create("rocket-3b:q4", "GGUF-weights", "{{ .Prompt }}");
        store.copy(name("rocket-3b:q4"), name("me/rocket:copy"));
        List<ModelSummary> list = store.list();
        assertEquals(2, list.size());
        assertEquals(list.get(0).digest(), list.get(1).digest(), "copy writes the same manifest bytes");
        int blobsBefore = store.blobs().list().size();

        store.delete(name("rocket-3b:q4"));
        assertEquals(List.of("me/rocket:copy"), store.list().stream().map(ModelSummary::displayName).toList());
        assertEquals(blobsBefore, store.blobs().list().size(), "blobs still referenced by the copy stay");
        assertFalse(Files.exists(root.resolve("manifests/registry.ollama.ai/library")), "empty dirs pruned");

        store.delete(name("me/rocket:copy"));
        assertEquals(List.of(), store.list());
        assertEquals(List.of(), store.blobs().list(), "every blob of the last model is gone");
        try (Stream<Path> s = Files.list(root.resolve("manifests"))) {
            assertEquals(0, s.count());
        }
        assertEquals("model 'rocket-3b:q4' not found",
                assertThrows(ModelNotFoundException.class, () -> store.delete(name("rocket-3b:q4"))).getMessage());
        assertThrows(ModelNotFoundException.class, () -> store.copy(name("missing"), name("x")));
    }

    @Test
    void deleteKeepsBlobsSharedWithAnotherModel() throws Exception {
        create("a:1", "same-weights", "template A");
        create("b:1", "same-weights", "template B");
        Digest weights = Digest.of("same-weights".getBytes(StandardCharsets.UTF_8));
        Digest templateA = Digest.of("template A".getBytes(StandardCharsets.UTF_8));
        store.delete(name("a:1"));
        assertTrue(store.blobs().exists(weights));
        assertFalse(store.blobs().exists(templateA));
        assertEquals("same-weights", Files.readString(store.show(name("b:1")).modelPath().orElseThrow()));
    }

    @Test
    void overwritingANameRemovesTheOldUnusedBlobs() throws Exception {
        create("m", "w", "old template");
        create("m", "w", "new template");
        assertFalse(store.blobs().exists(Digest.of("old template".getBytes(StandardCharsets.UTF_8))));
        assertEquals(Optional.of("new template"), store.show(name("m")).template());
        assertEquals(1, store.list().size());
    }

    @Test
    void namesDifferingOnlyInCaseClash() throws Exception {
        create("rocket:q4", "w", "t");
        NameConflictException e = assertThrows(NameConflictException.class, () -> create("Rocket:Q4", "w", "t"));
        assertEquals("a model with that name already exists", e.getMessage());
        assertThrows(NameConflictException.class, () -> store.copy(name("rocket:q4"), name("ROCKET:q4")));
        store.copy(name("ROCKET:Q4"), name("other"));
        assertEquals(2, store.list().size());
    }

    @Test
    void crashBetweenBlobsAndManifestLeavesListUnchangedAndRetryWorks() throws Exception {
        create("existing", "w0", "t0");
        List<ModelSummary> before = store.list();
        store.crashPoint = p -> {
            throw new IllegalStateException("simulated crash at " + p);
        };
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> create("new:q4", "w1", "t1"));
        assertEquals("simulated crash at before-manifest-rename", crash.getMessage());
        assertEquals(before, store.list());
        assertFalse(store.exists(name("new:q4")));
        assertEquals(List.of(), strayBlobFiles());
        try (Stream<Path> s = Files.walk(root.resolve("manifests"))) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList());
        }
        // a crash while overwriting keeps the old manifest intact
        assertThrows(IllegalStateException.class, () -> create("existing", "w9", "t9"));
        assertEquals(before, store.list());
        assertEquals(Optional.of("t0"), store.show(name("existing")).template());

        store.crashPoint = p -> { };
        StoredModel m = create("new:q4", "w1", "t1");
        assertEquals(Optional.of("t1"), m.template());
        assertEquals(2, store.list().size());
    }

    @Test
    void orphanTempFilesAreCleanedAtOpen() throws Exception {
        create("m", "w", "t");
        long deadPid = deadPid();
        Path orphanBlob = root.resolve("blobs/.partial-" + deadPid + "-abc");
        Path orphanManifest = root.resolve("manifests/registry.ollama.ai/library/m/.partial-" + deadPid + "-def");
        Path live = root.resolve("blobs/.partial-" + ProcessHandle.current().pid() + "-live");
        // the GGUF writer's own temp beside a create's quantize temp ("." + name + "." + random + ".partial")
        Path orphanWriterTemp = root.resolve("blobs/..partial-" + deadPid + "-ghi-quantized.gguf.123.partial");
        Path liveWriterTemp = root.resolve("blobs/..partial-" + ProcessHandle.current().pid() + "-jkl-quantized.gguf.456.partial");
        Path foreignOld = root.resolve("blobs/sha256-123456-partial");
        Path foreignNew = root.resolve("blobs/sha256-654321-partial");
        for (Path p : List.of(orphanBlob, orphanManifest, live, orphanWriterTemp, liveWriterTemp, foreignOld, foreignNew)) {
            Files.writeString(p, "partial");
        }
        Files.setLastModifiedTime(foreignOld, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        List<ModelSummary> before = store.list();

        ModelStore reopened = ModelStore.open(root);
        assertFalse(Files.exists(orphanBlob));
        assertFalse(Files.exists(orphanManifest));
        assertFalse(Files.exists(foreignOld));
        assertFalse(Files.exists(orphanWriterTemp), "a dead create's quantizer temp goes at once");
        assertTrue(Files.exists(liveWriterTemp), "a live create's quantizer temp stays");
        assertTrue(Files.exists(live), "a temp of a live writer stays");
        assertTrue(Files.exists(foreignNew), "a recent foreign partial stays");
        assertEquals(before, reopened.list());
    }

    private static long deadPid() {
        for (long pid = 4_000_000; pid > 3_000_000; pid--) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
        throw new IllegalStateException("no free pid");
    }

    @Test
    void pruneRemovesOnlyOldUnreferencedUnpinnedBlobs() throws Exception {
        create("m", "w", "t");
        Digest oldOrphan = store.blobs().write("old orphan".getBytes(StandardCharsets.UTF_8)).digest();
        Digest newOrphan = store.blobs().write("new orphan".getBytes(StandardCharsets.UTF_8)).digest();
        Files.setLastModifiedTime(store.blobs().path(oldOrphan), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        for (Digest d : store.blobs().list()) {
            if (!d.equals(newOrphan)) {
                Files.setLastModifiedTime(store.blobs().path(d), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
            }
        }
        try (ModelBuilder pending = store.newModel()) {
            Layer pinned = pending.addText(LayerKind.SYSTEM, "pinned by a running create");
            Files.setLastModifiedTime(store.blobs().path(pinned.digest()),
                    FileTime.from(Instant.now().minus(Duration.ofHours(2))));
            assertEquals(1, store.pruneUnreferencedBlobs(Duration.ofHours(1)));
            assertFalse(store.blobs().exists(oldOrphan));
            assertTrue(store.blobs().exists(newOrphan));
            assertTrue(store.blobs().exists(pinned.digest()));
        }
        assertEquals("w", Files.readString(store.show(name("m")).modelPath().orElseThrow()));
        assertEquals(2, store.pruneUnreferencedBlobs(Duration.ZERO), "the unpinned and the new orphan go");
        assertTrue(store.blobs().exists(store.manifest(name("m")).config().digest()));
    }

    @Test
    void commitRefusesAVanishedBlob() throws Exception {
        try (ModelBuilder b = store.newModel()) {
            b.addText(LayerKind.MODEL, "w");
            Digest gone = Digest.of("x".getBytes(StandardCharsets.UTF_8));
            assertThrows(BlobNotFoundException.class, () -> b.addBlob(LayerKind.ADAPTER.mediaType(), gone, ""));
            Files.delete(store.blobs().path(b.layers().getFirst().digest()));
            b.config(ModelConfig.of("gguf", "llama", "1M", "F16"));
            assertThrows(BlobNotFoundException.class, () -> b.commit(name("m")));
        }
        assertEquals(List.of(), store.list());
    }

    @Test
    void corruptManifestIsSkippedByListAndReportedByShow() throws Exception {
        create("good", "w", "t");
        Path bad = root.resolve("manifests/registry.ollama.ai/library/bad/latest");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "{not json");
        assertEquals(List.of("good:latest"), store.list().stream().map(ModelSummary::displayName).toList());
        assertThrows(CorruptStoreException.class, () -> store.show(name("bad")));
        assertEquals(0, store.pruneUnreferencedBlobs(Duration.ZERO), "no pruning while a manifest is unreadable");
        store.delete(name("bad"));
        assertEquals(1, store.list().size());
    }

    @Test
    void readsAStoreWrittenByOllama() throws Exception {
        // A manifest as Ollama writes it, with the legacy prompt layer and an unknown layer type.
        byte[] cfg = "{\"model_format\":\"gguf\",\"model_family\":\"qwen2\",\"model_families\":[\"qwen2\"],\"model_type\":\"494.03M\",\"file_type\":\"Q4_K_M\",\"architecture\":\"arm64\",\"os\":\"darwin\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"extra\":1}\n"
                .getBytes(StandardCharsets.UTF_8);
        Digest c = store.blobs().write(cfg).digest();
        Digest w = store.blobs().write("weights".getBytes(StandardCharsets.UTF_8)).digest();
        Digest t = store.blobs().write("{{ .Prompt }}".getBytes(StandardCharsets.UTF_8)).digest();
        Digest p = store.blobs().write("{\"stop\":[\"\\u003c|x|\\u003e\"],\"num_ctx\":4096,\"mirostat\":0}"
                .getBytes(StandardCharsets.UTF_8)).digest();
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + c
                + "\",\"size\":" + cfg.length + "},\"layers\":["
                + "{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\"" + w + "\",\"size\":7},"
                + "{\"mediaType\":\"application/vnd.ollama.image.prompt\",\"digest\":\"" + t + "\",\"size\":13},"
                + "{\"mediaType\":\"application/vnd.ollama.image.unknown\",\"digest\":\"" + t + "\",\"size\":13},"
                + "{\"mediaType\":\"application/vnd.ollama.image.params\",\"digest\":\"" + p + "\",\"size\":55}]}\n";
        Path mp = root.resolve("manifests/registry.ollama.ai/library/qwen2.5/0.5b");
        Files.createDirectories(mp.getParent());
        Files.writeString(mp, manifest);
        StoredModel m = store.show(name("qwen2.5:0.5b"));
        assertEquals(Optional.of("{{ .Prompt }}"), m.template());
        assertEquals(new ParamValue.IntValue(4096), m.parameters().get("num_ctx").orElseThrow());
        assertEquals(new ParamValue.StringList(List.of("<|x|>")), m.parameters().get("stop").orElseThrow());
        assertTrue(m.parameters().get("mirostat").isEmpty());
        assertEquals("494.03M", m.details().parameterSize());
        assertEquals(sha(manifest.getBytes(StandardCharsets.UTF_8)), m.digest());
        assertArrayEquals(manifest.getBytes(StandardCharsets.UTF_8),
                Manifest.parse(manifest.getBytes(StandardCharsets.UTF_8), "x").toBytes(),
                "re-encoding an Ollama manifest gives the same bytes");
        store.copy(name("qwen2.5:0.5b"), name("copy"));
        assertEquals(sha(manifest.getBytes(StandardCharsets.UTF_8)), store.show(name("copy")).digest());
    }

    @Test
    void concurrentCreatesAndDeletesStayConsistent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int k = i;
                fs.add(pool.submit(() -> {
                    create("m" + k, "shared-weights", "template " + (k % 3));
                    if (k % 2 == 0) {
                        store.delete(name("m" + k));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        List<ModelSummary> list = store.list();
        assertEquals(8, list.size());
        for (ModelSummary s : list) {
            StoredModel m = store.show(s.name());
            for (Digest d : m.manifest().blobs()) {
                assertTrue(store.blobs().exists(d), "blob of " + s.displayName() + " present");
            }
        }
        assertEquals(0, store.pruneUnreferencedBlobs(Duration.ZERO), "no leaked blobs");
    }

    @Test
    void defaultRoot() {
        assertEquals(Path.of("/home/u/.mbllm/models"), ModelStore.defaultRoot(Map.of(), "/home/u"));
        assertEquals(Path.of("/data/models"), ModelStore.defaultRoot(Map.of("MBLLM_MODELS", "/data/models"), "/home/u"));
        assertEquals(Path.of("/home/u/m"), ModelStore.defaultRoot(Map.of("MBLLM_MODELS", "~/m"), "/home/u"));
    }
}
