package io.mbllm.server.http;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Streams the body of {@code POST /api/blobs/<digest>} to a temporary file in the store's blobs folder instead of
 * aggregating it in memory (model files are gigabytes), then passes the request on with an empty body and the
 * file named in {@link #FILE_HEADER}; {@link CreateEndpoints#postBlob} hashes it into the store and deletes it.
 * The header is removed from every incoming request, so a client cannot name a file. Other requests pass
 * through untouched. Temp files are named like the store's ({@code .partial-<pid>-...}) so a crash leaves
 * orphans that the store removes when it is next opened.
 */
final class BlobUploadHandler extends ChannelInboundHandlerAdapter {
    /** Internal header carrying the spooled body's path to the route. */
    static final String FILE_HEADER = "X-Mbllm-Internal-Blob-File";

    private final Path blobsDir;
    private HttpRequest pending;
    private Path file;
    private FileChannel out;
    private boolean failed;

    BlobUploadHandler(Path blobsDir) {
        this.blobsDir = blobsDir;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest req) {
            req.headers().remove(FILE_HEADER);
            String path = new QueryStringDecoder(req.uri()).path();
            if (req.method().equals(HttpMethod.POST) && path.startsWith("/api/blobs/")) {
                start(ctx, req);
                if (msg instanceof HttpContent c) body(ctx, c); // a full request
                return;
            }
        } else if (pending != null && msg instanceof HttpContent c) {
            body(ctx, c);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void start(ChannelHandlerContext ctx, HttpRequest req) {
        pending = req;
        failed = false;
        try {
            file = blobsDir.resolve(".partial-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID() + "-upload");
            out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            failed = true;
            file = null;
        }
        if (HttpUtil.is100ContinueExpected(req)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    private void body(ChannelHandlerContext ctx, HttpContent c) {
        try {
            if (!failed) {
                ByteBuf b = c.content();
                try {
                    while (b.isReadable()) b.readBytes(out, b.readableBytes());
                } catch (IOException e) {
                    failed = true;
                }
            }
            if (c instanceof LastHttpContent) finish(ctx);
        } finally {
            ReferenceCountUtil.release(c);
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        HttpRequest req = pending;
        pending = null;
        closeQuietly();
        FullHttpRequest full = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                Unpooled.EMPTY_BUFFER, req.headers().copy(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        full.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        full.headers().remove(HttpHeaderNames.EXPECT);
        full.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (failed) {
            deleteQuietly(file);
        } else {
            full.headers().set(FILE_HEADER, file.toString());
        }
        file = null;
        ctx.fireChannelRead(full);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (pending != null) { // the client went away mid-upload
            pending = null;
            closeQuietly();
            deleteQuietly(file);
            file = null;
        }
        super.channelInactive(ctx);
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the file is deleted or handed on
            }
            out = null;
        }
    }

    static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // an orphan: removed when the store is next opened
        }
    }
}
