package io.mbllm.server.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.mbllm.server.create.CreateService;
import io.mbllm.server.api.VersionResponse;
import io.mbllm.server.infer.InferenceService;
import io.mbllm.server.sched.ModelResolver;
import io.mbllm.server.sched.Scheduler;
import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.ModelStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The mbllm HTTP server: Ollama's native API and the OpenAI-compatible API on one port. Pipeline per
 * connection: HTTP codec → body aggregator (limit, 413) → Host guard and CORS → router; handlers run on
 * virtual threads, generation streams back through the channel. {@link #close()} stops accepting, closes the
 * connections and unloads every model.
 */
public final class MbllmServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MbllmServer.class.getName());

    /** The Ollama-style version reported by {@code /api/version} (clients gate features on it). */
    public static final String API_VERSION = "0.12.0";

    private final ServerConfig config;
    private final Scheduler scheduler;
    private final InferenceService inference;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService handlers;
    private final Channel channel;

    private MbllmServer(ServerConfig config, ModelResolver resolver) throws IOException, InterruptedException {
        this.config = config;
        this.scheduler = new Scheduler(config.scheduler());
        this.inference = new InferenceService(scheduler);
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mbllm-request-", 0).factory());
        ModelStore store = resolver instanceof StoreModelResolver sr ? sr.store() : null;
        Router router = routes(new ModelLookup(resolver, config.scheduler().defaultKeepAlive()),
                new CreateEndpoints(store == null ? null : new CreateService(store)));
        HostGuard hostGuard = config.bind().loopback() ? new HostGuard() : null;
        CorsPolicy cors = new CorsPolicy(config.origins());
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("codec", new HttpServerCodec());
                            if (store != null) ch.pipeline().addLast("blobs", new BlobUploadHandler(store.blobs().dir()));
                            ch.pipeline()
                                    .addLast("aggregator", new BodyAggregator(config.maxBodyBytes()))
                                    .addLast("guard", new GuardHandler(hostGuard, cors))
                                    .addLast("router", new RouterHandler(router, handlers));
                        }
                    });
            this.channel = b.bind(config.bind().host(), config.bind().port()).sync().channel();
        } catch (Exception e) { // Netty rethrows a bind failure (a checked BindException) undeclared
            shutdownGroups();
            handlers.shutdownNow();
            scheduler.close();
            if (e instanceof IOException io) throw io;
            if (e instanceof InterruptedException ie) throw ie;
            if (e instanceof RuntimeException re) throw re;
            throw new IOException(e);
        }
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException          when the address cannot be bound ({@link java.net.BindException}: in use)
     * @throws InterruptedException when interrupted while binding
     */
    public static MbllmServer start(ServerConfig config, ModelResolver resolver) throws IOException, InterruptedException {
        MbllmServer s = new MbllmServer(config, resolver);
        LOG.log(System.Logger.Level.INFO, "mbllm listening on {0}", s.address());
        return s;
    }

    private Router routes(ModelLookup lookup, CreateEndpoints create) {
        GenerateEndpoint generate = new GenerateEndpoint(lookup, inference);
        ChatEndpoint chat = new ChatEndpoint(lookup, inference);
        EmbedEndpoints embed = new EmbedEndpoints(lookup, inference);
        ModelEndpoints models = new ModelEndpoints(lookup, scheduler);
        OpenAiEndpoints openai = new OpenAiEndpoints(lookup, inference);
        CompareEndpoint compare = new CompareEndpoint(lookup, inference);
        return new Router()
                .add(HttpMethod.GET, "/", ex -> ex.sendText(200, "text/plain; charset=utf-8", "Ollama is running"))
                .add(HttpMethod.GET, "/api/version", ex -> ex.sendJson(200, new VersionResponse(API_VERSION)))
                .add(HttpMethod.POST, "/api/generate", generate)
                .add(HttpMethod.POST, "/api/chat", chat)
                .add(HttpMethod.POST, "/api/embed", embed::embed)
                .add(HttpMethod.POST, "/api/embeddings", embed::embeddings)
                .add(HttpMethod.GET, "/api/tags", models::tags)
                .add(HttpMethod.POST, "/api/show", models::show)
                .add(HttpMethod.GET, "/api/ps", models::ps)
                .add(HttpMethod.POST, "/api/copy", models::copy)
                .add(HttpMethod.DELETE, "/api/delete", models::delete)
                .add(HttpMethod.POST, "/api/pull", models::pull)
                .add(HttpMethod.POST, "/api/push", models::push)
                .add(HttpMethod.POST, "/api/create", create::create)
                .add(HttpMethod.POST, "/api/compare", compare)
                .addPrefix(HttpMethod.HEAD, "/api/blobs/", create::headBlob)
                .addPrefix(HttpMethod.POST, "/api/blobs/", create::postBlob)
                .add(HttpMethod.POST, "/v1/chat/completions", openai::chat)
                .add(HttpMethod.POST, "/v1/completions", openai::completions)
                .add(HttpMethod.GET, "/v1/models", openai::models)
                .addPrefix(HttpMethod.GET, "/v1/models/", openai::model)
                .add(HttpMethod.POST, "/v1/embeddings", openai::embeddings);
    }

    /** The bound address (the real port when configured with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    public ServerConfig config() {
        return config;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public InferenceService inference() {
        return inference;
    }

    /** Blocks until the server channel closes. */
    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
