package io.mbllm.server.http;

import io.mbllm.server.api.ErrorResponse;
import io.mbllm.server.api.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.concurrent.TimeUnit;

/**
 * Aggregates request bodies up to a limit; a larger body gets 413 with a JSON error and the connection closes.
 *
 * <p>The close waits for the end of the oversized body (the aggregator discards it), at most {@link #DRAIN_SECONDS}:
 * closing a socket with unread request bytes in its receive buffer sends a reset, and a client still writing its
 * body may then lose the 413 it was sent.
 */
final class BodyAggregator extends HttpObjectAggregator {
    static final int DRAIN_SECONDS = 5;
    private final int limit;
    private boolean closeAtEnd;

    BodyAggregator(int limit) {
        super(limit);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        byte[] body = Json.writeBytes(new ErrorResponse("request body too large (limit " + limit + " bytes)"));
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, Exchange.JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        // the connection is closed after the answer: say so, or a keep-alive client reuses it and fails
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r);
        closeAtEnd = true;
        ctx.executor().schedule(() -> { ctx.close(); }, DRAIN_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        boolean last = msg instanceof LastHttpContent;
        super.channelRead(ctx, msg);
        if (last && closeAtEnd) ctx.close();
    }
}
