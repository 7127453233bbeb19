package io.mbllm.engine.compare;

import java.util.List;

/**
 * What every variant is run on.
 *
 * @param prompts    raw prompts (no chat template; BOS added as the vocabulary asks), each answered greedily
 * @param numPredict most tokens generated per prompt (&ge; 1)
 * @param seed       the seed reported with the run (greedy decoding draws no random numbers, so every variant
 *                   gives the same answer for any seed; it is kept so that results name their settings)
 * @param numCtx     context length (capped at each model's trained context); a text is scored in chunks of at
 *                   most this many tokens
 * @param text       a text to compute perplexity and KL divergence on, or null
 */
public record CompareSpec(List<String> prompts, int numPredict, long seed, int numCtx, String text) {
    public CompareSpec {
        prompts = List.copyOf(prompts);
        if (numPredict < 1) throw new IllegalArgumentException("num_predict must be at least 1: " + numPredict);
        if (numCtx < 8) throw new IllegalArgumentException("num_ctx must be at least 8: " + numCtx);
        if (prompts.isEmpty() && text == null) throw new IllegalArgumentException("give a prompt or a text to compare on");
        for (String p : prompts) {
            if (p == null || p.isEmpty()) throw new IllegalArgumentException("empty prompt");
        }
    }
}
