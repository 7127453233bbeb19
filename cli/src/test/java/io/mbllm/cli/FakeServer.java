package io.mbllm.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted HTTP server for the client verbs (com.sun.net.httpserver): answers {@code HEAD /} and whatever
 * routes a test adds, and records every request (method, path, body).
 */
final class FakeServer implements AutoCloseable {
    /** One request as received. */
    record Request(String method, String path, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** One scripted answer. */
    record Reply(int status, String contentType, byte[] body) {
        static Reply json(int status, String json) {
            return new Reply(status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
        }

        static Reply ndjson(String... lines) {
            return new Reply(200, "application/x-ndjson", (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }

        static Reply empty(int status) {
            return new Reply(status, null, new byte[0]);
        }
    }

    /** A route handler. */
    interface Route {
        Reply answer(Request r) throws IOException;
    }

    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final HttpServer server;

    FakeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        on("HEAD /", r -> Reply.empty(200));
    }

    /** Adds a route: {@code "METHOD /path"}; a key ending in {@code *} matches a prefix. */
    FakeServer on(String key, Route route) {
        routes.put(key, route);
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The context of a verb talking to this server, its streams captured. */
    Ctx ctx(Path cwd) {
        return new Ctx(Map.of("MBLLM_HOST", "127.0.0.1:" + port()), cwd);
    }

    /** The requests other than the heartbeat. */
    List<Request> calls() {
        synchronized (requests) {
            return requests.stream().filter(r -> !(r.method().equals("HEAD") && r.path().equals("/"))).toList();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), body);
        requests.add(req);
        Route route = routes.get(req.method() + " " + req.path());
        if (route == null) {
            for (Map.Entry<String, Route> e : routes.entrySet()) {
                String k = e.getKey();
                if (k.endsWith("*") && (req.method() + " " + req.path()).startsWith(k.substring(0, k.length() - 1))) {
                    route = e.getValue();
                }
            }
        }
        Reply reply = route == null ? Reply.json(404, "{\"error\":\"404 page not found\"}") : route.answer(req);
        if (reply.contentType() != null) ex.getResponseHeaders().set("Content-Type", reply.contentType());
        boolean noBody = req.method().equals("HEAD") || reply.body().length == 0;
        ex.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
        if (!noBody) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(reply.body());
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Captured streams around a {@link CliContext}. */
    static final class Ctx {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CliContext ctx;

        Ctx(Map<String, String> env, Path cwd) {
            ctx = new CliContext(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), () -> NOW, cwd, false);
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** The fixed "now" of the verbs under test. */
    static final Instant NOW = Instant.parse("2026-08-21T10:00:00Z");
}
