package io.mbllm.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.ErrorResponse;
import io.mbllm.server.api.Json;
import io.mbllm.server.api.OpenAiError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * One request and its response, used by an endpoint handler on a worker thread. A response is either whole
 * ({@link #sendJson}, {@link #sendText}, {@link #sendEmpty}) or streamed ({@link #startStream},
 * {@link #writeChunk}, {@link #endStream}). Errors go through {@link #fail}: before the first byte as a status
 * with a JSON body (native {@code {"error"}} or the OpenAI envelope), after it as one last NDJSON line or SSE
 * event, then the connection is closed (api-contract §0.5, §4). {@link #gone()} turns true when the client
 * disconnects.
 */
public final class Exchange {
    /** Native JSON content type. */
    public static final String JSON = "application/json; charset=utf-8";
    /** NDJSON streams. */
    public static final String NDJSON = "application/x-ndjson";
    /** SSE streams. */
    public static final String SSE = "text/event-stream";

    private final Channel channel;
    private final FullHttpRequest request;
    private final String path;
    private final String pathParam;
    private final boolean openAi;
    private final boolean keepAlive;
    private final long startNanos = System.nanoTime();
    private String streamType;
    private boolean done;
    private int status;

    Exchange(Channel channel, FullHttpRequest request, String path, String pathParam, boolean openAi) {
        this.channel = channel;
        this.request = request;
        this.path = path;
        this.pathParam = pathParam;
        this.openAi = openAi;
        this.keepAlive = HttpUtil.isKeepAlive(request);
    }

    public String path() {
        return path;
    }

    /** The path segment after a prefix route ({@code /v1/models/{id}}), or null. */
    public String pathParam() {
        return pathParam;
    }

    public HttpMethod method() {
        return request.method();
    }

    /** When the request arrived (System.nanoTime). */
    public long startNanos() {
        return startNanos;
    }

    /** The status sent (0 before any). */
    public int status() {
        return status;
    }

    /** A request header's value, or null. */
    public String header(String name) {
        return request.headers().get(name);
    }

    /** The raw body. */
    public byte[] body() {
        return ByteBufUtil.getBytes(request.content());
    }

    /** The body parsed as JSON (400 when empty or malformed). */
    public JsonNode json() {
        return Json.parse(body());
    }

    /** The body bound to a request record (400 on bad JSON or a field of the wrong type). */
    public <T> T bind(Class<T> type) {
        return Json.bind(json(), type);
    }

    /** The body bound to a record, or null when there is no body (GET with Content-Type and no body). */
    public JsonNode jsonOrNull() {
        return request.content().isReadable() ? json() : null;
    }

    /** Whether the client has gone away. */
    public boolean gone() {
        return !channel.isActive();
    }

    /** {@link #gone()} as a supplier for the generator. */
    public BooleanSupplier cancellation() {
        return this::gone;
    }

    /** Whether response bytes have been sent. */
    public boolean started() {
        return streamType != null || done;
    }

    public void sendJson(int status, Object body) {
        send(status, JSON, Json.writeBytes(body));
    }

    public void sendText(int status, String contentType, String text) {
        send(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A response without body (200 for copy/delete). */
    public void sendEmpty(int status) {
        send(status, null, new byte[0]);
    }

    /**
     * A whole response with extra headers (static files: caching and validators). A 304 carries neither body
     * nor {@code Content-Length}.
     */
    public void sendBytes(int status, String contentType, byte[] body, Map<String, String> headers) {
        send(status, contentType, body, headers);
    }

    private void send(int code, String contentType, byte[] bytes) {
        send(code, contentType, bytes, Map.of());
    }

    private void send(int code, String contentType, byte[] bytes, Map<String, String> headers) {
        if (started()) throw new IllegalStateException("response already started");
        done = true;
        status = code;
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        if (contentType != null) r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (code != 304) r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        headers.forEach(r.headers()::set);
        if (openAi && code >= 400 && code < 500) r.headers().set("x-should-retry", "false");
        finish(r, !keepAlive);
    }

    private void finish(Object last, boolean close) {
        if (!keepAlive || close) {
            if (last instanceof HttpResponse r) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.writeAndFlush(last);
        }
    }

    /** Sends 200 headers of a chunked stream of {@code contentType} ({@link #NDJSON} or {@link #SSE}). */
    public void startStream(String contentType) {
        if (started()) throw new IllegalStateException("response already started");
        streamType = contentType;
        status = 200;
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (contentType.equals(SSE)) {
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        HttpUtil.setTransferEncodingChunked(r, true);
        channel.writeAndFlush(r);
    }

    /** Writes and flushes one piece of the stream (waits while the client is slow to read). */
    public void writeChunk(String text) {
        if (streamType == null) throw new IllegalStateException("stream not started");
        if (gone()) return;
        ByteBuf buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
        ChannelFuture f = channel.writeAndFlush(new DefaultHttpContent(buf));
        if (!channel.isWritable()) f.awaitUninterruptibly(30_000);
    }

    /** Ends the stream; SSE streams (and non-keep-alive ones) also close the connection. */
    public void endStream() {
        if (done) return;
        done = true;
        finish(LastHttpContent.EMPTY_LAST_CONTENT, SSE.equals(streamType));
    }

    /** Answers an error in the right place: status + JSON before streaming, a last line/event after. */
    public void fail(ApiException e) {
        if (done) return;
        if (streamType == null) {
            Object body = openAi ? OpenAiError.of(e.status(), e.getMessage()) : new ErrorResponse(e.getMessage());
            sendJson(e.status(), body);
            return;
        }
        if (streamType.equals(SSE)) {
            writeChunk("data: " + Json.write(OpenAiError.of(500, e.getMessage())) + "\n\n");
        } else {
            writeChunk(Json.write(new ErrorResponse(e.getMessage())) + "\n");
        }
        done = true;
        finish(LastHttpContent.EMPTY_LAST_CONTENT, true);
    }

    /** Whether the route is under {@code /v1} (OpenAI error envelope). */
    public boolean openAi() {
        return openAi;
    }
}
