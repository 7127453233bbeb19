package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.cli.FakeServer.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mbllm create} against a scripted server: Modelfile resolution, blob upload, request body, progress. */
class CreateCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    FakeServer server;
    FakeServer.Ctx io;
    Path weights;
    String digest;
    final Set<String> blobs = new HashSet<>();
    final java.util.Map<String, byte[]> uploaded = new java.util.HashMap<>();

    static final String MODELFILE = """
            # test model
            FROM ./model.gguf
            TEMPLATE \"\"\"{{ .Prompt }}\"\"\"
            SYSTEM You are Rocket.
            PARAMETER temperature 0.7
            PARAMETER stop "<|im_end|>"
            PARAMETER stop "<|im_start|>"
            MESSAGE user Hi
            LICENSE MIT
            """;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer();
        io = server.ctx(dir);
        weights = dir.resolve("model.gguf");
        byte[] bytes = new byte[200_000];
        new Random(7).nextBytes(bytes);
        Files.write(weights, bytes);
        digest = ModelfileRequest.sha256(weights);
        Files.writeString(dir.resolve("Rocket.Modelfile"), MODELFILE);
        server.on("HEAD /api/blobs/*", r -> Reply.empty(blobs.contains(r.path().substring(11)) ? 200 : 404));
        server.on("POST /api/blobs/*", r -> {
            String d = r.path().substring(11);
            uploaded.put(d, r.body());
            blobs.add(d);
            return Reply.empty(201);
        });
        server.on("POST /api/create", r -> Reply.ndjson(
                "{\"status\":\"parsing GGUF\"}",
                "{\"status\":\"quantizing F16 model to Q4_K_M\",\"digest\":\"0000000000000000000\",\"total\":100,\"completed\":0}",
                "{\"status\":\"quantizing F16 model to Q4_K_M\",\"digest\":\"0000000000000000000\",\"total\":100,\"completed\":45}",
                "{\"status\":\"quantizing F16 model to Q4_K_M\",\"digest\":\"0000000000000000000\",\"total\":100,\"completed\":100}",
                "{\"status\":\"verifying conversion\"}",
                "{\"status\":\"creating new layer sha256:abc\"}",
                "{\"status\":\"writing manifest\"}",
                "{\"status\":\"success\"}"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int create(FakeServer.Ctx c, String... args) {
        return new CommandLine(new CreateCommand(c.ctx)).execute(args);
    }

    private JsonNode createBody() throws IOException {
        List<FakeServer.Request> posts = server.calls().stream().filter(r -> r.path().equals("/api/create")).toList();
        assertEquals(1, posts.size());
        return JSON.readTree(posts.getFirst().body());
    }

    @Test
    void uploadsTheWeightsThenPostsTheModelfileAsJson() throws Exception {
        assertEquals(0, create(io, "rocket-3b:q4", "-f", "Rocket.Modelfile"));
        assertEquals(List.of("HEAD /api/blobs/" + digest, "POST /api/blobs/" + digest, "POST /api/create"),
                server.calls().stream().map(Object::toString).toList());
        assertArrayEquals(Files.readAllBytes(weights), uploaded.get(digest), "blob body is the file");
        assertEquals(JSON.readTree("""
                {"model":"rocket-3b:q4","files":{"model.gguf":"%s"},"template":"{{ .Prompt }}",
                 "system":"You are Rocket.","license":["MIT"],
                 "parameters":{"stop":["<|im_end|>","<|im_start|>"],"temperature":0.7},
                 "messages":[{"role":"user","content":"Hi"}],"stream":true}""".formatted(digest)), createBody());
        assertEquals("""
                gathering model components
                copying file %1$s 0%%
                copying file %1$s 100%%
                parsing GGUF
                quantizing F16 model to Q4_K_M 0%%
                quantizing F16 model to Q4_K_M 100%%
                verifying conversion
                creating new layer sha256:abc
                writing manifest
                success
                """.formatted(digest), io.err());
        assertEquals("", io.out());
    }

    @Test
    void skipsBlobsTheServerHasAndSendsQuantize() throws Exception {
        blobs.add(digest);
        assertEquals(0, create(io, "rocket-3b", "-f", "Rocket.Modelfile", "-q", "Q4_K_M"));
        assertEquals(List.of("HEAD /api/blobs/" + digest, "POST /api/create"),
                server.calls().stream().map(Object::toString).toList());
        assertEquals("Q4_K_M", createBody().path("quantize").asText());
    }

    @Test
    void fromAModelNameSendsFrom() throws Exception {
        Files.writeString(dir.resolve("Derived"), "FROM rocket-3b:q4\nSYSTEM Shorter.\n");
        assertEquals(0, create(io, "short", "-f", "Derived"));
        JsonNode body = createBody();
        assertEquals("rocket-3b:q4", body.path("from").asText());
        assertTrue(body.path("files").isMissingNode());
        assertEquals(1, server.calls().size(), "no blob traffic");
    }

    @Test
    void pathsAreRelativeToTheModelfileNotTheWorkingDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(sub.resolve("M"), "FROM ../../model.gguf\n");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        FakeServer.Ctx c = server.ctx(elsewhere);
        assertEquals(0, create(c, "m", "-f", sub.resolve("M").toString()), c.err());
        assertEquals(digest, createBody().path("files").path("model.gguf").asText());
    }

    @Test
    void withoutAModelfileItBehavesAsFromDot() throws Exception {
        assertEquals(0, create(io, "dot"));
        assertEquals(digest, createBody().path("files").path("model.gguf").asText());
    }

    @Test
    void clientSideErrors() throws Exception {
        assertEquals(1, create(io, "m", "-f", "missing.Modelfile"));
        assertEquals("Error: specified Modelfile wasn't found\n", io.err());

        FakeServer.Ctx bad = server.ctx(dir);
        assertEquals(1, create(bad, "bad name!", "-f", "Rocket.Modelfile"));
        assertEquals("Error: invalid model name: bad name!\n", bad.err());

        Files.writeString(dir.resolve("Broken"), "FROM x\nBOGUS y\n");
        FakeServer.Ctx broken = server.ctx(dir);
        assertEquals(1, create(broken, "m", "-f", "Broken"));
        assertTrue(broken.err().startsWith("Error: ") && broken.err().contains("command must be one of"), broken.err());

        Files.writeString(dir.resolve("Adapter"), "FROM x\nADAPTER ./nope.gguf\n");
        FakeServer.Ctx adapter = server.ctx(dir);
        assertEquals(1, create(adapter, "m", "-f", "Adapter"));
        assertEquals("Error: adapter file not found: ./nope.gguf\n", adapter.err().lines()
                .filter(l -> l.startsWith("Error")).findFirst().orElse("") + "\n");
        assertFalse(server.calls().stream().anyMatch(r -> r.path().equals("/api/create")));
    }

    @Test
    void serverErrorsBeforeAndDuringTheStream() {
        server.on("POST /api/create", r -> Reply.json(400,
                "{\"error\":\"unsupported quantization type Q6_K - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0\"}"));
        assertEquals(1, create(io, "m", "-f", "Rocket.Modelfile", "-q", "q6_K"));
        assertTrue(io.err().endsWith("Error: unsupported quantization type Q6_K - supported types are F32, F16, "
                + "Q4_K_S, Q4_K_M, Q8_0\n"), io.err());

        server.on("POST /api/create", r -> Reply.ndjson("{\"status\":\"parsing GGUF\"}",
                "{\"error\":\"cannot quantize to Q8_0: tensor 'blk.0.ffn_down.weight'\"}"));
        FakeServer.Ctx mid = server.ctx(dir);
        assertEquals(1, create(mid, "m:q8", "-f", "Rocket.Modelfile"));
        assertTrue(mid.err().contains("parsing GGUF\n"), mid.err());
        assertTrue(mid.err().endsWith("Error: cannot quantize to Q8_0: tensor 'blk.0.ffn_down.weight'\n"), mid.err());

        server.on("POST /api/create", r -> Reply.ndjson("{\"status\":\"parsing GGUF\"}"));
        FakeServer.Ctx cut = server.ctx(dir);
        assertEquals(1, create(cut, "m", "-f", "Rocket.Modelfile"));
        assertTrue(cut.err().contains("Error: the server closed the stream before reporting success"), cut.err());
    }

    @Test
    void terminalRedrawsTheProgressLineInPlace() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StatusView v = new StatusView(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        v.status("parsing GGUF");
        v.progress("quantizing F16 model to Q4_K_M", 45, 100);
        v.progress("quantizing F16 model to Q4_K_M", 45, 100);
        v.progress("quantizing F16 model to Q4_K_M", 100, 100);
        v.status("success");
        v.finish();
        String bar45 = "quantizing F16 model to Q4_K_M  45% ▕" + "█".repeat(9) + " ".repeat(11) + "▏";
        String bar100 = "quantizing F16 model to Q4_K_M 100% ▕" + "█".repeat(20) + "▏";
        assertEquals("parsing GGUF\n\r" + bar45 + "\r" + bar100 + "\nsuccess\n", buf.toString(StandardCharsets.UTF_8));
    }
}
