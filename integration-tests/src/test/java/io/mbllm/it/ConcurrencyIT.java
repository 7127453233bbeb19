package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * 16 parallel streaming clients on the packaged server (4 slots), 4 of which hang up mid-stream while asking
 * for the whole context: the other 12 complete with run.c's text, and afterwards no slot or queue entry is held
 * — {@code /api/ps} answers at once and 4 fresh streams (one per slot) all start promptly, which they could
 * not if a hung-up generation (thousands of tokens) were still running.
 */
class ConcurrencyIT {
    @TempDir
    static Path dir;
    static Fixture fx;
    static String golden;

    static final int CLIENTS = 16;
    static final int HANG_UPS = 4;
    static final int SLOTS = 4;

    @BeforeAll
    static void start() throws Exception {
        golden = TestModels.onceUponATime60();
        Path models = dir.resolve("models");
        TestModels.seed(models, "endless", TestModels.writeEndlessStories(dir.resolve("endless.gguf")), "llama", "292.80K", "F32");
        fx = Fixture.start(dir, Map.of("MBLLM_NUM_PARALLEL", String.valueOf(SLOTS), "MBLLM_MAX_QUEUE", "32"));
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    static final String GREEDY = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"temperature\":0,\"num_predict\":60}}";
    /** Runs to the end of the context (2048 positions) unless cancelled: the EOS-less model, greedy. */
    static final String ENDLESS = "{\"model\":\"endless\",\"prompt\":\"Lily %d\",\"options\":{\"temperature\":0,\"num_predict\":-1,\"num_ctx\":2048}}";

    /** A full NDJSON stream: the concatenated text and the final object. */
    record Completed(String text, JsonNode last, int lines) {}

    static Completed streamFully(HttpClient c, String body) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = c.send(HttpRequest.newBuilder(fx.server.uri("/api/generate"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        int n = 0;
        for (String line : (Iterable<String>) r.body()::iterator) {
            JsonNode j = Fixture.json(line);
            assertTrue(!j.has("error"), line);
            text.append(j.get("response").asText());
            last = j;
            n++;
        }
        return new Completed(text.toString(), last, n);
    }

    /** Sends a streaming request over a raw socket, reads {@code lines} NDJSON lines, then hangs up. */
    static int readThenHangUp(String body, int lines) throws Exception {
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(60_000);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertTrue(status.startsWith("HTTP/1.1 200"), status);
            int got = 0;
            String line;
            while (got < lines && (line = in.readLine()) != null) {
                if (line.startsWith("{\"model\"")) got++;
            }
            return got;
        } // closing the socket mid-stream: the server must cancel the generation and free the slot
    }

    @Test
    void theEndlessModelRunsToTheContextEndUnlessCancelled() throws Exception {
        // what a hung-up client would leave running if the server did not cancel: 2048 positions of generation
        JsonNode r = Fixture.json(fx.server.post("/api/generate", String.format(ENDLESS, 0).replace("}}", "},\"stream\":false}")).body());
        assertEquals("length", r.get("done_reason").asText(), r.toString());
        assertTrue(r.get("eval_count").asInt() > 2000, "ran to the end of the context: " + r);
    }

    @Test
    void sixteenStreamsFourHangUpsNothingLeaks() throws Exception {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4)).build();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Completed>> full = new ArrayList<>();
            List<Future<Integer>> hung = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                if (i % (CLIENTS / HANG_UPS) == 1) {
                    String body = String.format(ENDLESS, i);
                    hung.add(pool.submit(() -> readThenHangUp(body, 3)));
                } else {
                    full.add(pool.submit((Callable<Completed>) () -> streamFully(c, GREEDY)));
                }
            }
            assertEquals(HANG_UPS, hung.size());
            for (Future<Integer> h : hung) assertEquals(3, h.get(120, TimeUnit.SECONDS), "read 3 lines before hanging up");
            for (Future<Completed> f : full) {
                Completed done = f.get(120, TimeUnit.SECONDS);
                assertEquals(golden, done.text(), "a concurrent stream is unaffected by the others");
                assertTrue(done.last().get("done").asBoolean());
                assertEquals("length", done.last().get("done_reason").asText());
                assertEquals(61, done.lines(), "60 tokens + the final object");
            }

            // nothing held: ps answers at once, and one fresh stream per slot starts promptly
            long t0 = System.nanoTime();
            var ps = fx.server.get("/api/ps");
            assertEquals(200, ps.statusCode());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "ps is prompt");
            java.util.Set<String> loaded = new java.util.HashSet<>();
            for (JsonNode m : Fixture.json(ps.body()).get("models")) loaded.add(m.get("name").asText());
            assertEquals(java.util.Set.of("stories:latest", "endless:latest"), loaded, ps.body());

            List<Future<Long>> firsts = new ArrayList<>();
            for (int i = 0; i < SLOTS; i++) firsts.add(pool.submit(() -> timeToFirstLine(c)));
            for (Future<Long> f : firsts) {
                long ms = f.get(120, TimeUnit.SECONDS);
                assertTrue(ms < 2000, "a fresh stream waited " + ms + " ms for a slot: a hung-up generation still runs");
            }
            Completed after = streamFully(c, GREEDY);
            assertEquals(golden, after.text());
            assertTrue(fx.server.isAlive());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Milliseconds until the first NDJSON line of a greedy stream arrives (the rest is read too). */
    static long timeToFirstLine(HttpClient c) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> r = c.send(HttpRequest.newBuilder(fx.server.uri("/api/generate"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GREEDY.replace("60", "400"))).build(), HttpResponse.BodyHandlers.ofLines());
        var it = r.body().iterator();
        assertTrue(it.hasNext());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        while (it.hasNext()) it.next();
        return ms;
    }
}
