package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code cli/target/mbllm.jar serve}) as a child process on a free loopback port, with its
 * own models folder. {@link #start} returns once {@code GET /} answers {@code Ollama is running}; {@link #close}
 * stops it (SIGTERM, then kill) and a JVM shutdown hook does the same if the test JVM exits first. Its stdout and
 * stderr go to {@code server.log} beside the models folder; failures quote the log's tail.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Thread reaper;
    private final int port;
    private final Path models;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ServerProcess(Process process, Thread reaper, int port, Path models, Path log) {
        this.process = process;
        this.reaper = reaper;
        this.port = port;
        this.models = models;
        this.log = log;
    }

    /** The packaged CLI jar (system property {@code mbllm.jar}, set by the pom). */
    static Path jar() {
        String p = System.getProperty("mbllm.jar");
        Path jar = p != null ? Path.of(p) : Path.of("..", "cli", "target", "mbllm.jar");
        if (!Files.isRegularFile(jar)) fail("packaged CLI not found at " + jar.toAbsolutePath() + " (run the reactor through 'package')");
        return jar.toAbsolutePath().normalize();
    }

    /** The java launcher of this JVM (Java 25, which runs the tests). */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts {@code serve} over {@code models} with extra environment {@code env}; retries once on a port race. */
    static ServerProcess start(Path models, Map<String, String> env) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return startOnce(models, env);
            } catch (PortTakenException e) {
                last = e;
            }
        }
        throw last;
    }

    private static final class PortTakenException extends IOException {
        PortTakenException(String m) {
            super(m);
        }
    }

    private static ServerProcess startOnce(Path models, Map<String, String> env) throws IOException, InterruptedException {
        int port = freePort();
        Files.createDirectories(models);
        Path log = models.resolveSibling(models.getFileName() + "-server-" + port + ".log");
        List<String> cmd = new ArrayList<>(List.of(java(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-jar", jar().toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("MBLLM_") || k.startsWith("OLLAMA_"));
        e.put("MBLLM_HOST", "127.0.0.1:" + port);
        e.put("MBLLM_MODELS", models.toString());
        e.put("MBLLM_NUM_THREADS", "2");
        e.putAll(env);
        Process p = pb.start();
        Thread reaper = new Thread(() -> kill(p), "mbllm-it-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        ServerProcess s = new ServerProcess(p, reaper, port, models, log);
        s.awaitReady();
        return s;
    }

    static ServerProcess start(Path models) throws IOException, InterruptedException {
        return start(models, Map.of());
    }

    private static int freePort() throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return ss.getLocalPort();
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail();
                close();
                if (tail.contains("bind")) throw new PortTakenException("port " + port + " taken: " + tail);
                fail("server exited with " + process.exitValue() + " before it was ready:\n" + tail);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().equals("Ollama is running")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        fail("server not ready within " + READY_TIMEOUT + ":\n" + logTail());
    }

    /** The port it listens on. */
    int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>} (no trailing slash). */
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /** The models folder ({@code MBLLM_MODELS}). */
    Path models() {
        return models;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last 4000 characters of the server's output. */
    String logTail() {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** One request with a JSON body (or none); the answer as text. */
    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    /** An environment for CLI client verbs that talk to this server. */
    Map<String, String> clientEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("MBLLM_HOST", "127.0.0.1:" + port);
        return env;
    }

    private static void kill(Process p) {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL, as a crash or the OOM killer would: no shutdown hook, no clean-up. Waits until it is gone. */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) fail("server did not die after SIGKILL");
        close();
    }

    @Override
    public void close() {
        kill(process);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
