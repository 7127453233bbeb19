package io.mbllm.server.http;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.SchedulerConfig;

/**
 * Server settings, from the environment (cli.md §3: every {@code OLLAMA_X} as {@code MBLLM_X}, the
 * {@code OLLAMA_} name honoured as a fallback). Invalid values fall back to the default with a warning.
 *
 * @param bind         listen address ({@code MBLLM_HOST})
 * @param origins      extra CORS origins ({@code MBLLM_ORIGINS}, comma-separated, {@code *} wildcards)
 * @param scheduler    scheduling limits
 * @param modelsDir    model folder ({@code MBLLM_MODELS}, default {@code ~/.mbllm/models})
 * @param maxBodyBytes largest request body accepted (413 beyond)
 */
public record ServerConfig(BindAddress bind, List<String> origins, SchedulerConfig scheduler, Path modelsDir,
                           int maxBodyBytes) {
    private static final System.Logger LOG = System.getLogger(ServerConfig.class.getName());

    /** Default body limit: 64 MiB (base64 images are large). */
    public static final int DEFAULT_MAX_BODY = 64 << 20;

    public ServerConfig {
        origins = List.copyOf(origins);
    }

    /** Defaults: 127.0.0.1:11434, no extra origins, default scheduling. */
    public static ServerConfig defaults() {
        return new ServerConfig(BindAddress.DEFAULT, List.of(), SchedulerConfig.defaults(),
                Path.of(System.getProperty("user.home"), ".mbllm", "models"), DEFAULT_MAX_BODY);
    }

    public ServerConfig withBind(BindAddress b) {
        return new ServerConfig(b, origins, scheduler, modelsDir, maxBodyBytes);
    }

    public ServerConfig withScheduler(SchedulerConfig s) {
        return new ServerConfig(bind, origins, s, modelsDir, maxBodyBytes);
    }

    public ServerConfig withOrigins(List<String> o) {
        return new ServerConfig(bind, o, scheduler, modelsDir, maxBodyBytes);
    }

    public ServerConfig withMaxBodyBytes(int n) {
        return new ServerConfig(bind, origins, scheduler, modelsDir, n);
    }

    /** Reads the settings from {@code env}. */
    public static ServerConfig fromEnv(Map<String, String> env) {
        ServerConfig d = defaults();
        SchedulerConfig s = d.scheduler();
        BindAddress bind = BindAddress.parse(get(env, "HOST"));
        List<String> origins = new ArrayList<>();
        String o = get(env, "ORIGINS");
        if (o != null) for (String x : o.split(",")) if (!x.isBlank()) origins.add(x.strip());
        int parallel = intVar(env, "NUM_PARALLEL", s.numParallel(), 1);
        int maxLoaded = intVar(env, "MAX_LOADED_MODELS", 0, 0);
        int maxQueue = intVar(env, "MAX_QUEUE", s.maxQueue(), 0);
        int ctx = intVar(env, "CONTEXT_LENGTH", 0, 0);
        int threads = intVar(env, "NUM_THREADS", s.threads(), 1);
        KeepAlive keep = s.defaultKeepAlive();
        String k = get(env, "KEEP_ALIVE");
        if (k != null && !k.isBlank()) {
            try {
                keep = KeepAlive.parse(k);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "invalid MBLLM_KEEP_ALIVE {0}, using 5m", k);
            }
        }
        SchedulerConfig sched = new SchedulerConfig(parallel, maxLoaded == 0 ? 3 : maxLoaded, maxQueue, keep,
                ctx == 0 ? 4096 : ctx, threads);
        String models = get(env, "MODELS");
        Path dir = models == null || models.isBlank() ? d.modelsDir() : Path.of(models.strip());
        return new ServerConfig(bind, origins, sched, dir, DEFAULT_MAX_BODY);
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get("MBLLM_" + name);
        return v != null && !v.isBlank() ? v : env.get("OLLAMA_" + name);
    }

    private static int intVar(Map<String, String> env, String name, int dflt, int min) {
        String v = get(env, name);
        if (v == null || v.isBlank()) return dflt;
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "invalid MBLLM_{0}={1}, using {2}", name, v, dflt);
            return dflt;
        }
    }
}
