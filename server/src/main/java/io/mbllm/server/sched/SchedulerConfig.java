package io.mbllm.server.sched;

/**
 * Scheduling limits (cli.md §3).
 *
 * @param numParallel      slots per loaded model ({@code MBLLM_NUM_PARALLEL}, default 1)
 * @param maxLoadedModels  resident models ({@code MBLLM_MAX_LOADED_MODELS}, default 3)
 * @param maxQueue         requests waiting for a slot before 503 ({@code MBLLM_MAX_QUEUE}, default 512)
 * @param defaultKeepAlive keep_alive when the request has none ({@code MBLLM_KEEP_ALIVE}, default 5m)
 * @param contextLength    default {@code num_ctx} ({@code MBLLM_CONTEXT_LENGTH}, default 4096), capped at the
 *                         model's trained context
 * @param threads          compute threads per loaded model ({@code MBLLM_NUM_THREADS}, default all cores)
 */
public record SchedulerConfig(int numParallel, int maxLoadedModels, int maxQueue, KeepAlive defaultKeepAlive,
                              int contextLength, int threads) {
    public SchedulerConfig {
        if (numParallel < 1) throw new IllegalArgumentException("num_parallel must be >= 1: " + numParallel);
        if (maxLoadedModels < 1) throw new IllegalArgumentException("max_loaded_models must be >= 1: " + maxLoadedModels);
        if (maxQueue < 0) throw new IllegalArgumentException("max_queue must be >= 0: " + maxQueue);
        if (contextLength < 1) throw new IllegalArgumentException("context_length must be >= 1: " + contextLength);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
    }

    /** The defaults. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(1, 3, 512, KeepAlive.DEFAULT, 4096, Runtime.getRuntime().availableProcessors());
    }

    public SchedulerConfig withNumParallel(int n) {
        return new SchedulerConfig(n, maxLoadedModels, maxQueue, defaultKeepAlive, contextLength, threads);
    }

    public SchedulerConfig withMaxQueue(int n) {
        return new SchedulerConfig(numParallel, maxLoadedModels, n, defaultKeepAlive, contextLength, threads);
    }

    public SchedulerConfig withMaxLoadedModels(int n) {
        return new SchedulerConfig(numParallel, n, maxQueue, defaultKeepAlive, contextLength, threads);
    }

    public SchedulerConfig withDefaultKeepAlive(KeepAlive k) {
        return new SchedulerConfig(numParallel, maxLoadedModels, maxQueue, k, contextLength, threads);
    }

    public SchedulerConfig withThreads(int n) {
        return new SchedulerConfig(numParallel, maxLoadedModels, maxQueue, defaultKeepAlive, contextLength, n);
    }
}
