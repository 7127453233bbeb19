package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Parallel slots, the bounded queue, and cancellation on disconnect. */
class ConcurrencyTest {
    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(10);
        }
    }

    static String generate(int seed, int numPredict) {
        return "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"seed\":" + seed
                + ",\"temperature\":0.8,\"num_predict\":" + numPredict + "}}";
    }

    @Test
    void sixteenStreamsFourDisconnect() throws Exception {
        try (TestServer s = new TestServer(TestServer.config().withNumParallel(4))) {
            List<CompletableFuture<HttpResponse<String>>> full = new ArrayList<>();
            List<RawClient> quitters = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                if (i % 4 == 3) {
                    quitters.add(new RawClient(s.server.port(), "POST", "/api/generate", generate(i, 100_000)));
                } else {
                    HttpRequest req = HttpRequest.newBuilder(s.uri("/api/generate")).timeout(Duration.ofSeconds(120))
                            .POST(HttpRequest.BodyPublishers.ofString(generate(i, 120))).build();
                    full.add(s.client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
                }
            }
            for (RawClient q : quitters) {
                String got = q.readUntil("\"done\":false", 3);
                assertTrue(got.startsWith("HTTP/1.1 200"), got);
                q.close(); // mid-stream
            }
            for (CompletableFuture<HttpResponse<String>> f : full) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                List<JsonNode> ls = lines(r.body());
                JsonNode last = ls.getLast();
                assertTrue(last.get("done").asBoolean(), last.toString());
                assertTrue(last.get("eval_count").asInt() <= 120);
            }
            await("slots and queue released", () -> s.server.scheduler().activeLeases() == 0 && s.server.scheduler().queued() == 0);
            assertEquals(4, s.server.inference().cancelledGenerations(), "each disconnect cancels its generation");
            JsonNode ps = TestServer.json(s.get("/api/ps")).get("models");
            assertEquals(1, ps.size(), "one model serves all slots");
            // the server still answers normally afterwards
            assertEquals(200, s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Lily\",\"stream\":false,\"options\":{\"num_predict\":2}}").statusCode());
        }
    }

    @Test
    void fullQueueAnswers503AndQueuedDisconnectsLeaveIt() throws Exception {
        try (TestServer s = new TestServer(TestServer.config().withNumParallel(1).withMaxQueue(1))) {
            RawClient busy = new RawClient(s.server.port(), "POST", "/api/generate", generate(1, 100_000));
            busy.readUntil("\"done\":false", 1);
            assertEquals(1, s.server.scheduler().activeLeases());

            RawClient queued = new RawClient(s.server.port(), "POST", "/api/generate", generate(2, 5));
            await("one request queued", () -> s.server.scheduler().queued() == 1);
            var rejected = s.post("/api/generate", generate(3, 5));
            assertEquals(503, rejected.statusCode());
            assertEquals("server busy, please try again.  maximum pending requests exceeded",
                    TestServer.json(rejected).get("error").asText());

            queued.close(); // gives up while waiting: its queue entry goes away
            await("queue empty", () -> s.server.scheduler().queued() == 0);
            assertEquals(1, s.server.scheduler().activeLeases());

            var waiting = s.client.sendAsync(HttpRequest.newBuilder(s.uri("/api/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString(generate(4, 5))).build(), HttpResponse.BodyHandlers.ofString());
            await("second queued", () -> s.server.scheduler().queued() == 1);
            busy.close(); // the running one disconnects: its slot goes to the waiting request
            HttpResponse<String> r = waiting.get();
            assertEquals(200, r.statusCode());
            assertTrue(lines(r.body()).getLast().get("done").asBoolean());
            await("all released", () -> s.server.scheduler().activeLeases() == 0 && s.server.scheduler().queued() == 0);
            assertEquals(1, s.server.inference().cancelledGenerations());
        }
    }
}
