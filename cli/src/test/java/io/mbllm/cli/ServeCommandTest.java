package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.ModelBuilder;
import io.mbllm.server.store.ModelConfig;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.testkit.SharedData;
import picocli.CommandLine;

class ServeCommandTest {
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void servesTheModelsFolderAndStopsCleanly(@TempDir Path dir) throws Exception {
        ModelStore store = ModelStore.open(dir);
        try (ModelBuilder b = store.newModel(); InputStream in = Files.newInputStream(SharedData.require("models/stories260K.gguf"))) {
            b.addLayer(LayerKind.MODEL.mediaType(), in, null, "stories260K.gguf");
            b.config(ModelConfig.of("gguf", "llama", "293K", "F32"));
            b.commit(ModelName.parse("stories"));
        }
        Files.writeString(dir.resolve("blobs/sha256-" + "0".repeat(64)), "orphan");
        Files.setLastModifiedTime(dir.resolve("blobs/sha256-" + "0".repeat(64)), java.nio.file.attribute.FileTime.fromMillis(0));
        int port = freePort();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServeCommand cmd = new ServeCommand(Map.of("MBLLM_HOST", "127.0.0.1:" + port, "MBLLM_MODELS", dir.toString()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(cmd).execute());
        cmd.awaitServer();
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("mbllm listening on http://127.0.0.1:" + port));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("pruned 1 unreferenced blob"), err.toString(StandardCharsets.UTF_8));
        HttpClient c = HttpClient.newHttpClient();
        var root = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("Ollama is running", root.body());
        var gen = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"Lily\",\"stream\":false,"
                        + "\"options\":{\"temperature\":0,\"num_predict\":4}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, gen.statusCode(), gen.body());
        assertTrue(gen.body().contains("\"response\":\" and Tom we\""), gen.body());
        cmd.stop();
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        try (ServerSocket again = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort(), "the port is free after stopping");
        }
    }

    @Test
    void busyPortIsAnError(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ServeCommand cmd = new ServeCommand(Map.of("MBLLM_HOST", "127.0.0.1:" + taken.getLocalPort(),
                    "MBLLM_MODELS", dir.toString()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, new CommandLine(cmd).execute());
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Error: listen tcp 127.0.0.1:" + taken.getLocalPort()), err.toString());
        }
    }

    @Test
    void registeredWithAlias() {
        CommandLine cl = Main.commandLine();
        assertTrue(cl.getSubcommands().containsKey("serve"));
        assertTrue(cl.getSubcommands().containsKey("start"));
        String help = cl.getSubcommands().get("serve").getUsageMessage();
        assertTrue(help.contains("MBLLM_HOST") && help.contains("MBLLM_NUM_PARALLEL"));
    }
}
