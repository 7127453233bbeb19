package io.mbllm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The client side of the mbllm (Ollama-compatible) HTTP API, on {@code java.net.http}: heartbeat, blobs,
 * create/pull with NDJSON progress, tags, show, ps, copy, delete and unload. Every failure is an
 * {@link ApiException} carrying the server's {@code error} text (or the "could not connect" message).
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;

    /** A client of the server at {@code base} ({@code http://127.0.0.1:11434}, optionally with a path prefix). */
    public ApiClient(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The server base URI. */
    public URI base() {
        return base;
    }

    /** A new empty JSON object for request bodies. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** {@code HEAD /}: fails with {@link ApiException#NOT_RUNNING} when no server answers. */
    public void heartbeat() throws ApiException, InterruptedException {
        HttpResponse<InputStream> r = send(request("/").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        check(r);
    }

    /** {@code HEAD /api/blobs/<digest>}: true when the server has the blob. */
    public boolean hasBlob(String digest) throws ApiException, InterruptedException {
        HttpResponse<InputStream> r = send(request("/api/blobs/" + digest).method("HEAD",
                HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 404) {
            close(r);
            return false;
        }
        check(r);
        return true;
    }

    /**
     * Uploads {@code file} as blob {@code digest} ({@code POST /api/blobs/<digest>}), reporting bytes sent to
     * {@code sent}.
     */
    public void uploadBlob(String digest, Path file, LongConsumer sent) throws ApiException, InterruptedException,
            IOException {
        long size = Files.size(file);
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> counting(file, sent)), size);
        check(send(request("/api/blobs/" + digest).POST(body)));
    }

    /** {@code GET /api/tags}. */
    public JsonNode tags() throws ApiException, InterruptedException {
        return json(send(request("/api/tags").GET()));
    }

    /** {@code GET /api/ps}. */
    public JsonNode ps() throws ApiException, InterruptedException {
        return json(send(request("/api/ps").GET()));
    }

    /** {@code POST /api/show} for {@code model}. */
    public JsonNode show(String model, boolean verbose) throws ApiException, InterruptedException {
        ObjectNode body = object().put("model", model);
        if (verbose) body.put("verbose", true);
        return json(send(post("/api/show", body)));
    }

    /** {@code POST /api/copy}. */
    public void copy(String source, String destination) throws ApiException, InterruptedException {
        check(send(post("/api/copy", object().put("source", source).put("destination", destination))));
    }

    /** {@code DELETE /api/delete}. */
    public void delete(String model) throws ApiException, InterruptedException {
        ObjectNode body = object().put("model", model);
        check(send(request("/api/delete").header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(body.toString()))));
    }

    /** Unloads {@code model}: an empty {@code POST /api/generate} with {@code keep_alive: 0}. */
    public void unload(String model) throws ApiException, InterruptedException {
        stream(post("/api/generate", object().put("model", model).put("keep_alive", 0)), line -> { });
    }

    /** {@code POST /api/create} with {@code body}, each progress line to {@code progress}; ends at success. */
    public void create(ObjectNode body, Consumer<JsonNode> progress) throws ApiException, InterruptedException {
        progressStream(post("/api/create", body.put("stream", true)), progress);
    }

    /** {@code POST /api/pull} for {@code model}, each progress line to {@code progress}; ends at success. */
    public void pull(String model, Consumer<JsonNode> progress) throws ApiException, InterruptedException {
        progressStream(post("/api/pull", object().put("model", model).put("stream", true)), progress);
    }

    /** Stops a streaming answer from any thread (Ctrl-C): reading ends at the next line and the connection is closed. */
    public static final class Cancel {
        private volatile boolean cancelled;
        private volatile InputStream body;

        /** Requests the stop. */
        public void cancel() {
            cancelled = true;
            InputStream b = body;
            if (b != null) {
                try {
                    b.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        /** Whether {@link #cancel} was called. */
        public boolean cancelled() {
            return cancelled;
        }
    }

    /**
     * Streams {@code POST path} (an {@code /api/generate} or {@code /api/chat} body), each NDJSON line to
     * {@code each}; returns the final line ({@code done: true}), or null when {@code cancel} stopped it first.
     */
    public JsonNode streamAnswer(String path, ObjectNode body, Consumer<JsonNode> each, Cancel cancel)
            throws ApiException, InterruptedException {
        HttpResponse<InputStream> r = send(post(path, body.put("stream", true)));
        check(r, false);
        cancel.body = r.body();
        JsonNode last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; !cancel.cancelled() && (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    throw new ApiException(r.statusCode(), "unexpected response from server: " + line);
                }
                if (n.hasNonNull("error")) throw new ApiException(r.statusCode(), n.path("error").asText());
                if (cancel.cancelled()) break;
                each.accept(n);
                if (n.path("done").asBoolean(false)) last = n;
            }
        } catch (IOException e) {
            if (!cancel.cancelled()) throw new ApiException(0, "connection to the server failed: " + e.getMessage());
        } finally {
            cancel.body = null;
        }
        if (cancel.cancelled()) return null;
        if (last == null) throw new ApiException(500, "the server closed the stream before the answer was done");
        return last;
    }

    private void progressStream(HttpRequest.Builder req, Consumer<JsonNode> progress)
            throws ApiException, InterruptedException {
        boolean[] success = {false};
        stream(req, line -> {
            progress.accept(line);
            if ("success".equals(line.path("status").asText())) success[0] = true;
        });
        if (!success[0]) throw new ApiException(500, "the server closed the stream before reporting success");
    }

    /** Sends {@code req} and hands each NDJSON line to {@code each}; an {@code error} line fails. */
    private void stream(HttpRequest.Builder req, Consumer<JsonNode> each) throws ApiException, InterruptedException {
        HttpResponse<InputStream> r = send(req);
        check(r, false);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    throw new ApiException(r.statusCode(), "unexpected response from server: " + line);
                }
                if (n.hasNonNull("error")) throw new ApiException(r.statusCode(), n.path("error").asText());
                each.accept(n);
            }
        } catch (IOException e) {
            throw new ApiException(0, "connection to the server failed: " + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base.toString() + path)).header("Accept", "application/json")
                .header("User-Agent", "mbllm-cli");
    }

    private HttpRequest.Builder post(String path, JsonNode body) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }

    private HttpResponse<InputStream> send(HttpRequest.Builder req) throws ApiException, InterruptedException {
        try {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ApiException(0, ApiException.NOT_RUNNING);
        } catch (IOException e) {
            if (e.getCause() instanceof ConnectException) throw new ApiException(0, ApiException.NOT_RUNNING);
            throw new ApiException(0, "connection to the server failed: " + e.getMessage());
        }
    }

    private static JsonNode json(HttpResponse<InputStream> r) throws ApiException {
        check(r, false);
        try (InputStream in = r.body()) {
            JsonNode n = JSON.readTree(in);
            if (n == null || n.isMissingNode()) throw new ApiException(r.statusCode(), "empty response from server");
            return n;
        } catch (IOException e) {
            throw new ApiException(r.statusCode(), "unexpected response from server: " + e.getMessage());
        }
    }

    private static void check(HttpResponse<InputStream> r) throws ApiException {
        check(r, true);
    }

    /** Fails on a status ≥ 400 with the body's {@code error} (or its text); closes the body when asked. */
    private static void check(HttpResponse<InputStream> r, boolean closeOnSuccess) throws ApiException {
        int status = r.statusCode();
        if (status < 400) {
            if (closeOnSuccess) close(r);
            return;
        }
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            text = "";
        }
        String message = text;
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && n.hasNonNull("error")) message = n.path("error").asText();
        } catch (IOException notJson) {
            // plain text body: shown as is
        }
        if (message.isEmpty()) message = "server answered HTTP " + status;
        throw new ApiException(status, message);
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // nothing to read
        }
    }

    private static InputStream counting(Path file, LongConsumer sent) {
        try {
            return new FilterInputStream(Files.newInputStream(file)) {
                long n;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) sent.accept(++n);
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int k = super.read(buf, off, len);
                    if (k > 0) sent.accept(n += k);
                    return k;
                }
            };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
