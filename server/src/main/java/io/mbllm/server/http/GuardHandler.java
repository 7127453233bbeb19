package io.mbllm.server.http;

import io.mbllm.server.api.ErrorResponse;
import io.mbllm.server.api.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;

/**
 * Host guard and CORS (api-contract §0.7): rejects (403) a non-local {@code Host} while bound to loopback and a
 * disallowed {@code Origin} (a same-origin one, as the page at {@code /} sends, is no CORS request and passes);
 * answers preflight {@code OPTIONS} with 204; adds {@code Access-Control-Allow-Origin} to every response of an
 * allowed browser origin.
 */
final class GuardHandler extends ChannelDuplexHandler {
    private static final AttributeKey<String> ORIGIN = AttributeKey.valueOf("mbllm.origin");

    private final HostGuard hosts; // null: not bound to loopback, no guard
    private final CorsPolicy cors;

    GuardHandler(HostGuard hosts, CorsPolicy cors) {
        this.hosts = hosts;
        this.cors = cors;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ctx.channel().attr(ORIGIN).set(null);
        if (hosts != null && !hosts.allowed(req.headers().get(HttpHeaderNames.HOST))) {
            reject(ctx, req, "host not allowed: " + req.headers().get(HttpHeaderNames.HOST));
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && sameOrigin(origin, req.headers().get(HttpHeaderNames.HOST))) {
            origin = null; // the page served at / calling its own server: not a cross-origin request
        }
        if (origin != null) {
            if (!cors.allowed(origin)) {
                reject(ctx, req, "origin not allowed: " + origin);
                return;
            }
            ctx.channel().attr(ORIGIN).set(origin);
        }
        if (req.method().equals(HttpMethod.OPTIONS)) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, CorsPolicy.ALLOWED_METHODS);
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, CorsPolicy.ALLOWED_HEADERS);
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "43200");
            if (origin != null) {
                // written from this handler, so write() below does not see it
                r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                r.headers().add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            }
            boolean keep = HttpUtil.isKeepAlive(req);
            req.release();
            if (keep) ctx.writeAndFlush(r);
            else ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(req);
    }

    /**
     * Whether {@code Origin} is this server as the browser reached it ({@code http(s)://} + {@code Host}): the
     * browser adds it to a page's own POSTs, which are no CORS requests (gin-contrib/cors, which Ollama uses,
     * lets them through the same way). The Host guard above has already vetted {@code Host}.
     */
    static boolean sameOrigin(String origin, String host) {
        if (host == null || host.isEmpty()) return false;
        return origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host);
    }

    private static void reject(ChannelHandlerContext ctx, FullHttpRequest req, String message) {
        byte[] body = Json.writeBytes(new ErrorResponse(message));
        req.release();
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, Exchange.JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r) {
            String origin = ctx.channel().attr(ORIGIN).get();
            if (origin != null) {
                r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                r.headers().add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            }
        }
        ctx.write(msg, promise);
    }
}
