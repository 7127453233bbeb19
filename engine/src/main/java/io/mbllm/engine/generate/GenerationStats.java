package io.mbllm.engine.generate;

/**
 * What one generation did, with Ollama's metrics.
 *
 * @param promptTokens     tokens of the prompt after any truncation
 * @param promptEvalCount  prompt tokens actually evaluated (fewer when a cached prefix was reused)
 * @param promptEvalNanos  time spent evaluating them
 * @param evalCount        tokens sampled (including a final end-of-generation token)
 * @param evalNanos        time from the end of the prompt evaluation to the end of generation
 * @param doneReason       why it ended
 * @param truncatedTokens  prompt tokens dropped to fit the context (0 when none)
 * @param seed             the sampler's seed (the drawn one when {@code seed} was -1)
 */
public record GenerationStats(int promptTokens, int promptEvalCount, long promptEvalNanos, int evalCount,
                              long evalNanos, DoneReason doneReason, int truncatedTokens, long seed) {

    /** Prompt tokens per second (0 when nothing was evaluated). */
    public double promptEvalRate() {
        return rate(promptEvalCount, promptEvalNanos);
    }

    /** Generated tokens per second (0 when nothing was generated). */
    public double evalRate() {
        return rate(evalCount, evalNanos);
    }

    private static double rate(int count, long nanos) {
        return count == 0 || nanos <= 0 ? 0 : count * 1e9 / nanos;
    }
}
