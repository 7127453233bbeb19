package io.mbllm.server.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.ErrorResponse;
import io.mbllm.server.api.Json;
import io.mbllm.server.api.OpenAiError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Routes each aggregated request: 404 (text {@code 404 page not found}, as Ollama) and 405 are answered on the
 * event loop; a found handler runs on a worker thread with an {@link Exchange}. A handler's
 * {@link ApiException} becomes its status; anything else a 500.
 */
final class RouterHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final System.Logger LOG = System.getLogger(RouterHandler.class.getName());

    private final Router router;
    private final ExecutorService workers;

    RouterHandler(Router router, ExecutorService workers) {
        super(false);
        this.router = router;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        boolean openAi = path.startsWith("/v1/");
        switch (router.match(req.method(), path)) {
            case Router.NotFound n -> {
                respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        "404 page not found".getBytes(StandardCharsets.UTF_8), null);
                req.release();
            }
            case Router.WrongMethod w -> {
                String msg = "method " + req.method().name() + " not allowed on " + path;
                Object body = openAi ? OpenAiError.of(405, msg) : new ErrorResponse(msg);
                respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, Exchange.JSON, Json.writeBytes(body),
                        String.join(", ", w.allowed()));
                req.release();
            }
            case Router.Found f -> {
                Exchange ex = new Exchange(ctx.channel(), req, path, f.param(), openAi);
                try {
                    workers.execute(() -> run(f.handler(), ex, req));
                } catch (RejectedExecutionException e) {
                    req.release();
                    ctx.close();
                }
            }
        }
    }

    private static void run(Router.Handler handler, Exchange ex, FullHttpRequest req) {
        try {
            handler.handle(ex);
        } catch (ApiException e) {
            ex.fail(e);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "internal error on " + ex.method() + " " + ex.path(), t);
            ex.fail(new ApiException(500, t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()));
        } finally {
            req.release();
            if (!ex.started()) ex.fail(new ApiException(500, "no response"));
            LOG.log(System.Logger.Level.INFO, "{0} {1} {2} {3}ms", ex.method(), ex.path(), ex.status(),
                    (System.nanoTime() - ex.startNanos()) / 1_000_000);
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status,
                                String contentType, byte[] body, String allow) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (allow != null) r.headers().set(HttpHeaderNames.ALLOW, allow);
        if (HttpUtil.isKeepAlive(req)) {
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "connection error: {0}", cause.toString());
        ctx.close();
    }
}
