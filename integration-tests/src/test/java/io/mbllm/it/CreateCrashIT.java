package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A server killed with SIGKILL in the middle of a create that quantizes (a 52 MB synthetic F16 llama to Q4_K_M):
 * after a restart on the same store no partial model is listed, start-up clean-up leaves no temp file, every blob
 * holds exactly the bytes its name promises, and the same create then succeeds.
 */
class CreateCrashIT {
    @TempDir
    Path dir;

    @Test
    void killedMidQuantizeLeavesNothingBehindAndARetrySucceeds() throws Exception {
        Path models = dir.resolve("models");
        Path big = TestModels.writeBigF16(dir.resolve("big-f16.gguf"), 1024, 2816, 2);
        String digest = "sha256:" + Fixture.sha256(big);
        String create = "{\"model\":\"big:q4\",\"quantize\":\"q4_K_M\",\"files\":{\"big-f16.gguf\":\"" + digest + "\"}}";

        ServerProcess first = ServerProcess.start(models, Map.of());
        String seen;
        try {
            upload(first, big, digest);
            seen = killDuringQuantize(first, create);
        } finally {
            first.close();
        }
        assertTrue(seen.contains("quantizing"), "killed while quantizing: " + seen);

        try (ServerProcess second = ServerProcess.start(models, Map.of())) {
            JsonNode tags = Fixture.json(second.get("/api/tags").body());
            assertEquals(0, tags.path("models").size(), "no partial model listed: " + tags);
            assertEquals(404, second.post("/api/show", "{\"model\":\"big:q4\"}").statusCode());
            assertEquals(List.of(), tempFiles(models), "start-up clean-up removed every temp file");
            assertBlobsMatchTheirNames(models);

            upload(second, big, digest); // the source blob may have been pruned as unreferenced
            var r = second.post("/api/create", create);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().strip().endsWith("{\"status\":\"success\"}"), r.body());
            JsonNode after = Fixture.json(second.get("/api/tags").body()).path("models");
            assertEquals(1, after.size(), after.toString());
            assertEquals("big:q4", after.get(0).path("name").asText());
            assertEquals("Q4_K_M", after.get(0).path("details").path("quantization_level").asText());
            assertEquals(List.of(), tempFiles(models), "a finished create leaves no temp file");
            assertBlobsMatchTheirNames(models);
        }
    }

    private static void upload(ServerProcess server, Path file, String digest) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var up = http.send(HttpRequest.newBuilder(server.uri("/api/blobs/" + digest)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(up.statusCode() == 201 || up.statusCode() == 200, up.statusCode() + " " + up.body());
    }

    /** Streams the create and SIGKILLs the server at the first quantize progress line short of the total. */
    private static String killDuringQuantize(ServerProcess server, String create) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(server.uri("/api/create"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(create)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        StringBuilder seen = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                seen.append(line).append('\n');
                JsonNode n = Fixture.json(line);
                long total = n.path("total").asLong(), done = n.path("completed").asLong();
                if (n.path("status").asText().startsWith("quantizing") && total > 0 && done > 0 && done < total) {
                    server.killHard();
                    return seen.toString();
                }
            }
        } catch (java.io.IOException connectionDied) {
            return seen.toString();
        }
        throw new AssertionError("the create ended before it could be killed mid-quantize (model too small?):\n" + seen);
    }

    private static List<Path> tempFiles(Path models) throws Exception {
        try (Stream<Path> s = Files.walk(models)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static void assertBlobsMatchTheirNames(Path models) throws Exception {
        try (Stream<Path> s = Files.list(models.resolve("blobs"))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                assertTrue(name.matches("sha256-[0-9a-f]{64}"), "unexpected file in blobs/: " + name);
                assertEquals(name.substring("sha256-".length()), Fixture.sha256(p), "blob content matches its name");
            }
        }
        assertFalse(Files.exists(models.resolve("manifests")) && tempFiles(models.resolve("manifests")).size() > 0);
    }
}
