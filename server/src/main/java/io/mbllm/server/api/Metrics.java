package io.mbllm.server.api;

import io.mbllm.engine.generate.GenerationStats;

/**
 * The timing fields of a final generate/chat object, in nanoseconds (api-contract §0.3).
 *
 * @param totalDuration      request start to the end of generation
 * @param loadDuration       request start until the model was ready
 * @param promptEvalCount    prompt tokens evaluated (always emitted)
 * @param promptEvalDuration time spent on them
 * @param evalCount          generated tokens (always emitted)
 * @param evalDuration       time spent generating
 */
public record Metrics(long totalDuration, long loadDuration, int promptEvalCount, long promptEvalDuration,
                      int evalCount, long evalDuration) {

    /** Metrics of one generation. */
    public static Metrics of(GenerationStats s, long totalNanos, long loadNanos) {
        return new Metrics(totalNanos, loadNanos, s.promptEvalCount(), s.promptEvalNanos(), s.evalCount(), s.evalNanos());
    }
}
