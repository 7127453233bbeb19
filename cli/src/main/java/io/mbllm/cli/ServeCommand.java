package io.mbllm.cli;

import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.mbllm.server.http.MbllmServer;
import io.mbllm.server.http.ServerConfig;
import io.mbllm.server.sched.ModelResolver;
import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.ModelStore;
import picocli.CommandLine.Command;

/**
 * {@code mbllm serve} (alias {@code start}): runs the HTTP server until SIGINT/SIGTERM, then closes the
 * connections and unloads the models. Settings come from the environment (cli.md §3); the models are those of
 * the store at {@code MBLLM_MODELS}, whose unreferenced blobs are pruned at start unless {@code MBLLM_NOPRUNE}.
 */
@Command(name = "serve", aliases = "start", mixinStandardHelpOptions = true,
        description = {"Start the mbllm server (Ollama- and OpenAI-compatible API).",
                "A browser opening its address (http://127.0.0.1:11434/) gets a page to chat with models and "
                        + "compare variants."},
        footerHeading = "%nEnvironment variables (OLLAMA_* accepted as fallbacks):%n",
        footer = {
                "  MBLLM_HOST               bind address [scheme://]host[:port] (default 127.0.0.1:11434)",
                "  MBLLM_MODELS             model store (default ~/.mbllm/models)",
                "  MBLLM_NOPRUNE            do not delete unreferenced blobs at start",
                "  MBLLM_KEEP_ALIVE         how long idle models stay loaded (default 5m; 0 = unload, <0 = forever)",
                "  MBLLM_NUM_PARALLEL       parallel requests per loaded model (default 1)",
                "  MBLLM_MAX_LOADED_MODELS  most models loaded at once (default 3)",
                "  MBLLM_MAX_QUEUE          requests waiting before 503 (default 512)",
                "  MBLLM_CONTEXT_LENGTH     default num_ctx (default 4096, capped at the model's)",
                "  MBLLM_ORIGINS            extra allowed browser origins, comma-separated, * wildcards",
                "  MBLLM_NUM_THREADS        compute threads per model (default: all cores)"})
public final class ServeCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final PrintStream err;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile MbllmServer server;
    private final CountDownLatch started = new CountDownLatch(1);

    /** The command on the process environment and stderr. */
    public ServeCommand() {
        this(System.getenv(), new PrintStream(System.err, true, StandardCharsets.UTF_8));
    }

    ServeCommand(Map<String, String> env, PrintStream err) {
        this.env = env;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = ServerConfig.fromEnv(env);
        ModelStore store = ModelStore.open(config.modelsDir());
        if (!truthy(env.get("MBLLM_NOPRUNE")) && !truthy(env.get("OLLAMA_NOPRUNE"))) {
            int pruned = store.pruneUnreferencedBlobs(Duration.ofHours(1));
            if (pruned > 0) err.println("pruned " + pruned + " unreferenced blob(s)");
        }
        ModelResolver models = new StoreModelResolver(store);
        MbllmServer s;
        try {
            s = MbllmServer.start(config, models);
        } catch (IOException e) {
            err.println("Error: listen tcp " + config.bind() + ": bind: " + e.getMessage());
            return 1;
        }
        server = s;
        Thread hook = new Thread(this::stop, "mbllm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("mbllm listening on http://" + hostPort(s) + " (models: " + config.modelsDir() + ")");
        started.countDown();
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running
        }
        return 0;
    }

    private static boolean truthy(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    private static String hostPort(MbllmServer s) {
        String host = s.config().bind().host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + s.port();
    }

    /** Stops the server (what SIGINT/SIGTERM do through the shutdown hook). */
    void stop() {
        MbllmServer s = server;
        if (s != null) {
            s.close();
            err.println("mbllm stopped");
        }
        stopped.countDown();
    }

    /** The running server (for tests), waiting until it is up. */
    MbllmServer awaitServer() throws InterruptedException {
        started.await();
        return server;
    }
}
