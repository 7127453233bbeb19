package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static io.mbllm.server.http.TestServer.lines;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraMerger;
import io.mbllm.engine.lora.LoraPair;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.Digest;
import io.mbllm.server.store.Layer;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.StoredModel;
import io.mbllm.testkit.SharedData;

/**
 * LoRA adapters through the server: {@code /api/create} with {@code adapters} (GGUF, several with scales, a PEFT
 * folder, the legacy {@code modelfile} form), the checks at create time (llama.cpp's messages for the
 * {@code lora-oracle/edge} files, nothing stored), {@code /api/show}, and per-request {@code lora} scales. Greedy
 * tokens are compared with llama.cpp's ({@code testdata/lora-oracle}) and with a model merged by {@link LoraMerger}.
 */
class AdapterApiTest {
    static final String ORACLE = "testdata/lora-oracle/";
    static final ObjectMapper OM = new ObjectMapper();

    @TempDir
    static Path root;
    static ModelStore store;
    static MbllmServer server;
    static String base;
    static final HttpClient C = HttpClient.newHttpClient();
    static String stories, loraA, loraB;

    @BeforeAll
    static void start() throws Exception {
        store = ModelStore.open(root.resolve("store"));
        ServerConfig cfg = ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0))
                .withScheduler(TestServer.config().withNumParallel(2));
        server = MbllmServer.start(cfg, new StoreModelResolver(store));
        base = "http://127.0.0.1:" + server.port();
        stories = upload(TestServer.stories());
        loraA = upload(oracleFile("stories260K-lora-a.f32.gguf"));
        loraB = upload(oracleFile("stories260K-lora-b.f32.gguf"));
        assertEquals(200, create("{\"model\":\"base\",\"files\":{\"stories260K.gguf\":\"" + stories + "\"}}").statusCode());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Path oracleFile(String name) {
        return SharedData.require(ORACLE + name);
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return C.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String upload(Path file) throws Exception {
        String digest = "sha256:" + Digest.of(Files.readAllBytes(file)).hex();
        HttpResponse<String> r = C.send(HttpRequest.newBuilder(URI.create(base + "/api/blobs/" + digest))
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.body());
        return digest;
    }

    static HttpResponse<String> create(String body) throws Exception {
        return post("/api/create", body.substring(0, body.length() - 1) + ",\"stream\":false}");
    }

    /** A model FROM stories260K with these adapters ({@code key → digest}) and scales. */
    static void createWith(String name, Map<String, String> adapters, Map<String, Float> scales) throws Exception {
        String body = "{\"model\":\"" + name + "\",\"from\":\"base\",\"adapters\":" + OM.writeValueAsString(adapters)
                + (scales.isEmpty() ? "" : ",\"adapter_scales\":" + OM.writeValueAsString(scales)) + "}";
        HttpResponse<String> r = create(body);
        assertEquals(200, r.statusCode(), r.body());
    }

    /** The oracle's prompt and generated tokens (the same in llama.cpp's default and all-F32 runs). */
    static int[] oracle(String name) throws Exception {
        JsonNode j = OM.readTree(oracleFile(name + ".greedy.json").toFile());
        List<Integer> out = new ArrayList<>();
        j.get("prompt_tokens").forEach(t -> out.add(t.asInt()));
        j.get("generated_tokens").forEach(t -> out.add(t.asInt()));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Greedy 48 tokens after "Once upon a time": the prompt and generated tokens ({@code context}). */
    static int[] greedy(String model, String lora) throws Exception {
        HttpResponse<String> r = post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"Once upon a time\","
                + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":48,\"repeat_penalty\":1}"
                + (lora == null ? "" : ",\"lora\":" + lora) + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode ctx = json(r).get("context");
        int[] out = new int[ctx.size()];
        for (int i = 0; i < out.length; i++) out[i] = ctx.get(i).asInt();
        return out;
    }

    /** /v1/completions text at temperature 0, 48 tokens. */
    static String completion(String model, String lora) throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"Once upon a time\","
                + "\"temperature\":0,\"max_tokens\":48" + (lora == null ? "" : ",\"lora\":" + lora) + "}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r).get("choices").get(0).get("text").asText();
    }

    static String show(String model) throws Exception {
        HttpResponse<String> r = post("/api/show", "{\"model\":\"" + model + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r).get("modelfile").asText();
    }

    static Path blob(String digest) throws Exception {
        return store.blobs().path(Digest.parse(digest));
    }

    @Test
    void oneAdapterMatchesLlamaCppAndTheMergedModel() throws Exception {
        createWith("tale-a", Map.of("lora-a.gguf", loraA), Map.of());
        StoredModel m = store.show(ModelName.parse("tale-a"));
        List<Layer> adapters = m.manifest().layers().stream()
                .filter(l -> l.mediaType().equals("application/vnd.ollama.image.adapter")).toList();
        assertEquals(1, adapters.size());
        assertEquals(loraA, adapters.getFirst().digest().toString());
        assertFalse(Files.readString(store.blobs().path(m.manifest().config().digest())).contains("adapter_scales"),
                "unscaled adapters keep Ollama's config fields");
        assertTrue(show("tale-a").contains("\nADAPTER " + blob(loraA) + "\n"), show("tale-a"));

        int[] withA = greedy("tale-a", null);
        assertArrayEquals(oracle("lora-a.s1"), withA);
        assertArrayEquals(oracle("base"), greedy("base", null));
        assertFalse(Arrays.equals(withA, greedy("base", null)));

        // llama-export-lora's recipe (LoraMerger) merged into a GGUF and created as a model: the same tokens
        Path merged = root.resolve("merged-a.gguf");
        try (LoraAdapter a = LoraAdapter.load(oracleFile("stories260K-lora-a.f32.gguf"))) {
            LoraMerger.merge(TestServer.stories(), List.of(new ScaledLora(a, 1f)), merged);
        }
        String mergedDigest = upload(merged);
        assertEquals(200, create("{\"model\":\"merged-a\",\"files\":{\"merged-a.gguf\":\"" + mergedDigest + "\"}}").statusCode());
        assertArrayEquals(withA, greedy("merged-a", null));

        // per request: scale 0 (or an empty list) is the base model, 1 the adapter, 0.5 llama.cpp's 0.5 run
        assertArrayEquals(oracle("base"), greedy("tale-a", "[{\"id\":0,\"scale\":0}]"));
        assertArrayEquals(oracle("base"), greedy("tale-a", "[]"));
        assertArrayEquals(oracle("lora-a.s0.5"), greedy("tale-a", "[{\"id\":0,\"scale\":0.5}]"));
        assertArrayEquals(oracle("lora-a.s1"), greedy("tale-a", "[{\"id\":0,\"scale\":1}]"));
        assertArrayEquals(oracle("lora-a.s1"), greedy("tale-a", null), "the model's own scale again");

        // the OpenAI-compatible endpoints take the same field
        String off = completion("tale-a", "[{\"id\":0,\"scale\":0}]");
        assertEquals(completion("base", null), off);
        assertFalse(off.equals(completion("tale-a", null)));
        assertEquals(completion("merged-a", null), completion("tale-a", null));

        HttpResponse<String> bad = post("/api/generate", "{\"model\":\"tale-a\",\"prompt\":\"x\",\"lora\":[{\"id\":1,\"scale\":1}]}");
        assertEquals(400, bad.statusCode());
        assertEquals("invalid lora id 1: model 'tale-a:latest' has 1 LoRA adapter (id 0)", json(bad).get("error").asText());
        bad = post("/api/chat", "{\"model\":\"base\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"lora\":[{\"id\":0,\"scale\":1}]}");
        assertEquals(400, bad.statusCode());
        assertEquals("invalid lora id 0: model 'base:latest' has no LoRA adapters", json(bad).get("error").asText());
        bad = post("/api/generate", "{\"model\":\"tale-a\",\"prompt\":\"x\",\"lora\":{\"id\":0}}");
        assertEquals("lora must be a list of {\"id\": N, \"scale\": S}", json(bad).get("error").asText());
    }

    @Test
    void twoAdaptersWithScales() throws Exception {
        Map<String, String> ab = new java.util.LinkedHashMap<>();
        ab.put("lora-a.gguf", loraA);
        ab.put("lora-b.gguf", loraB);
        createWith("tale-ab", ab, Map.of("lora-a.gguf", 0.5f, "lora-b.gguf", 0f));
        StoredModel m = store.show(ModelName.parse("tale-ab"));
        assertEquals(List.of(0.5f, 0f), m.adapterScales());
        String mf = show("tale-ab");
        assertTrue(mf.contains("\nADAPTER " + blob(loraA) + ":0.5\nADAPTER " + blob(loraB) + ":0\n"), mf);

        assertArrayEquals(oracle("lora-a.s0.5"), greedy("tale-ab", null), "b at scale 0 is off");
        assertArrayEquals(oracle("lora-a+b.s1"), greedy("tale-ab", "[{\"id\":0,\"scale\":1},{\"id\":1,\"scale\":1}]"));
        assertArrayEquals(oracle("lora-b.s1"), greedy("tale-ab", "[{\"id\":1,\"scale\":1}]"), "unnamed adapters are off");

        // a model created from it keeps its adapters and scales; new adapters replace them
        assertEquals(200, create("{\"model\":\"tale-ab2\",\"from\":\"tale-ab\",\"system\":\"x\"}").statusCode());
        assertEquals(List.of(0.5f, 0f), store.show(ModelName.parse("tale-ab2")).adapterScales());
        createWith("tale-b", Map.of("b.gguf", loraB), Map.of());
        assertArrayEquals(oracle("lora-b.s1"), greedy("tale-b", null));
    }

    @Test
    void adaptersThatDoNotFitAreRefusedWithLlamaCppsMessageAndNothingIsStored() throws Exception {
        JsonNode expected = OM.readTree(oracleFile("edge/expected.json").toFile());
        int checked = 0;
        for (var it = expected.fields(); it.hasNext(); ) {
            var e = it.next();
            String file = e.getKey();
            String digest = upload(oracleFile("edge/" + file));
            String name = "edge-" + checked++;
            HttpResponse<String> r = create("{\"model\":\"" + name + "\",\"from\":\"base\",\"adapters\":{\"" + file
                    + "\":\"" + digest + "\"}}");
            if (e.getValue().get("loads").asBoolean()) {
                assertEquals(200, r.statusCode(), file + ": " + r.body());
                continue;
            }
            assertEquals(400, r.statusCode(), file + ": " + r.body());
            String msg = json(r).get("error").asText();
            assertTrue(msg.startsWith("adapter " + file + ": " + e.getValue().get("llama_cpp_error").asText()), msg);
            assertTrue(store.resolve(ModelName.parse(name)).isEmpty(), "nothing stored for " + file);
        }
        assertEquals(15, checked);
        // the streamed form reports the same error as its last line
        HttpResponse<String> r = post("/api/create", "{\"model\":\"gpt\",\"from\":\"base\",\"adapters\":{\"x.gguf\":\""
                + upload(oracleFile("edge/invalid-arch-gpt2.gguf")) + "\"}}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("adapter x.gguf: model arch and LoRA arch mismatch", json(r).get("error").asText());
        // an adapter GGUF among the files becomes an adapter layer (Ollama's rule) and is checked the same way
        r = create("{\"model\":\"f\",\"files\":{\"m.gguf\":\"" + stories + "\",\"x.gguf\":\""
                + upload(oracleFile("edge/invalid-wrong-n-in.gguf")) + "\"}}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("adapter x.gguf: tensor 'blk.0.attn_q.weight' has incorrect shape (hint: maybe wrong base model?)",
                json(r).get("error").asText());
        r = create("{\"model\":\"f\",\"files\":{\"m.gguf\":\"" + stories + "\",\"a.gguf\":\"" + loraA + "\"}}");
        assertEquals(200, r.statusCode(), r.body());
        assertArrayEquals(oracle("lora-a.s1"), greedy("f", null));
        r = create("{\"model\":\"s\",\"from\":\"base\",\"adapters\":{\"a.gguf\":\"" + loraA + "\"},"
                + "\"adapter_scales\":{\"b.gguf\":0.5}}");
        assertEquals(400, r.statusCode());
        assertEquals("adapter_scales names [b.gguf], which is not an adapter of this request", json(r).get("error").asText());
        r = create("{\"model\":\"s\",\"from\":\"base\",\"adapters\":{\"a.gguf\":\"" + loraA + "\",\"b/a.gguf\":\"" + loraA + "\"}}");
        assertEquals("adapter b/a.gguf is given twice", json(r).get("error").asText());
    }

    @Test
    void peftFolderIsConvertedAtCreate() throws Exception {
        Path dir = Files.createDirectories(root.resolve("peft"));
        writePeft(oracleFile("stories260K-lora-a.f32.gguf"), dir);
        String cfg = upload(dir.resolve("adapter_config.json"));
        String st = upload(dir.resolve("adapter_model.safetensors"));
        HttpResponse<String> r = post("/api/create", "{\"model\":\"tale-peft\",\"from\":\"base\",\"adapters\":{"
                + "\"peft/adapter_config.json\":\"" + cfg + "\",\"peft/adapter_model.safetensors\":\"" + st + "\"}}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(lines(r.body()).stream().anyMatch(l -> l.path("status").asText()
                .equals("converting adapter peft/adapter_model.safetensors")), r.body());
        StoredModel m = store.show(ModelName.parse("tale-peft"));
        assertEquals(1, m.adapterPaths().size());
        try (LoraAdapter a = LoraAdapter.load(m.adapterPaths().getFirst())) {
            assertEquals(20, a.pairs().size());
            assertEquals(8f, a.alpha());
        }
        assertArrayEquals(oracle("lora-a.s1"), greedy("tale-peft", null));
        try (var s = Files.list(store.blobs().dir())) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "work files removed");
        }
        // a safetensors file without its config is refused
        r = create("{\"model\":\"x\",\"from\":\"base\",\"adapters\":{\"adapter_model.safetensors\":\"" + st + "\"}}");
        assertEquals(400, r.statusCode());
        assertEquals("adapter adapter_model.safetensors: a safetensors adapter needs its adapter_config.json in the "
                + "same folder", json(r).get("error").asText());
    }

    @Test
    void legacyModelfileFormResolvesAdapterPathsOnTheServer() throws Exception {
        Path a = oracleFile("stories260K-lora-a.f32.gguf");
        String modelfile = "FROM " + TestServer.stories() + "\nADAPTER " + a + ":0.5\nADAPTER ./lora-b.gguf:0\n";
        Files.copy(oracleFile("stories260K-lora-b.f32.gguf"), root.resolve("lora-b.gguf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        HttpResponse<String> r = create("{\"model\":\"legacy\",\"modelfile\":" + OM.writeValueAsString(modelfile)
                + ",\"path\":" + OM.writeValueAsString(root.toString()) + "}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of(0.5f, 0f), store.show(ModelName.parse("legacy")).adapterScales());
        assertArrayEquals(oracle("lora-a.s0.5"), greedy("legacy", null));
        r = create("{\"model\":\"legacy2\",\"modelfile\":\"FROM base\\nADAPTER ./nope.gguf\"}");
        assertEquals(400, r.statusCode());
        assertEquals("adapter file not found: ./nope.gguf", json(r).get("error").asText());
    }

    /**
     * Requests with different scales on the same loaded model at once (2 slots), then one after the other on
     * the same slot: each gets its own tokens.
     */
    @Test
    void concurrentRequestsWithDifferentScalesDoNotMix() throws Exception {
        createWith("tale-c", Map.of("lora-a.gguf", loraA), Map.of());
        int[] base = oracle("base"), half = oracle("lora-a.s0.5"), full = oracle("lora-a.s1");
        String[] loras = {"[{\"id\":0,\"scale\":0}]", null, "[{\"id\":0,\"scale\":0.5}]", "[{\"id\":0,\"scale\":1}]"};
        int[][] want = {base, full, half, full};
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> got = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String l : loras) got.add(pool.submit(() -> greedy("tale-c", l)));
            }
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(want[i % 4], got.get(i).get(), "request " + i + " lora " + loras[i % 4]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ a PEFT folder from adapter (a)

    /** Writes adapter (a) in PEFT form: PyTorch shapes, HF row order of q/k in lora_B, F32 safetensors. */
    static void writePeft(Path gguf, Path dir) throws Exception {
        List<Object[]> tensors = new ArrayList<>(); // name, shape, values
        try (LoraAdapter a = LoraAdapter.load(gguf)) {
            for (LoraPair p : a.pairs()) {
                String[] parts = p.base().split("\\.");
                String module = "base_model.model.model.layers." + parts[1] + "." + Map.of("attn_q", "self_attn.q_proj",
                        "attn_k", "self_attn.k_proj", "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj")
                        .get(parts[2]);
                int r = p.rank(), nIn = (int) p.a().dim(0), nOut = (int) p.b().dim(1);
                float[] bv = floats(p.b().data());
                if (parts[2].equals("attn_q")) bv = toHfRows(bv, nOut, r, 8);
                if (parts[2].equals("attn_k")) bv = toHfRows(bv, nOut, r, 4);
                tensors.add(new Object[] {module + ".lora_A.weight", new long[] {r, nIn}, floats(p.a().data())});
                tensors.add(new Object[] {module + ".lora_B.weight", new long[] {nOut, r}, bv});
            }
        }
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Object[] t : tensors) {
            float[] v = (float[]) t[2];
            long[] shape = (long[]) t[1];
            ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) bb.putFloat(f);
            long begin = data.size();
            data.write(bb.array());
            h.append(",\"").append(t[0]).append("\":{\"dtype\":\"F32\",\"shape\":[").append(shape[0]).append(',')
                    .append(shape[1]).append("],\"data_offsets\":[").append(begin).append(',').append(data.size()).append("]}");
        }
        h.append('}');
        while (h.length() % 8 != 0) h.append(' ');
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
        all.write(hb);
        all.write(data.toByteArray());
        Files.write(dir.resolve("adapter_model.safetensors"), all.toByteArray());
        Files.writeString(dir.resolve("adapter_config.json"), """
                {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "bias": "none", "use_rslora": false,
                 "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"]}""");
    }

    static float[] floats(java.lang.foreign.MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    /** GGUF q/k row order (pairs interleaved per head) back to HF order (halves per head). */
    static float[] toHfRows(float[] v, int rows, int cols, int heads) {
        int d = rows / heads;
        float[] out = new float[v.length];
        for (int head = 0; head < heads; head++) {
            for (int r = 0; r < d; r++) {
                int hfRow = head * d + (r % 2) * (d / 2) + r / 2;
                System.arraycopy(v, (head * d + r) * cols, out, hfRow * cols, cols);
            }
        }
        return out;
    }
}
