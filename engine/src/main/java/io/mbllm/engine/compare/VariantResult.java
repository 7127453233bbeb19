package io.mbllm.engine.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one variant. The quality figures compare it with the reference over every compared position:
 * the reference's greedy answers teacher-forced through it (prompt + answer tokens), plus the text when given.
 *
 * @param model         the variant's name
 * @param reference     whether this variant is the reference (its quality figures are then exact: KLD 0,
 *                      agreement 1, no divergence)
 * @param size          file size in bytes
 * @param bitsPerWeight tensor bytes · 8 / params
 * @param loadMs        time to get the model ready, in milliseconds
 * @param promptTps     prompt tokens evaluated per second, over all prompts (0 without prompts), measured after
 *                      one untimed warm-up pass over the first prompt
 * @param genTps        tokens generated per second, over all prompts (0 without prompts), from the end of each
 *                      prompt's evaluation to its last token
 * @param kldMean       mean KL divergence {@code Σ p (log p − log q)} from the reference p, null with no position
 * @param kldP99        99th percentile of the per-position KLD, null with no position
 * @param top1Agreement share of positions whose most likely token is the reference's, null with no position
 * @param positions     positions compared
 * @param perplexity    perplexity on the text (llama-perplexity's chunks), null without a text
 * @param divergesAt    the earliest answer token (0-based, over all prompts) where this variant's greedy answer
 *                      differs from the reference's, null when every answer is identical
 * @param diverges      the same per prompt (null entries where identical)
 * @param answers       the greedy answer to each prompt
 */
public record VariantResult(String model, boolean reference, long size, double bitsPerWeight, double loadMs,
                            double promptTps, double genTps, Double kldMean, Double kldP99, Double top1Agreement,
                            int positions, Double perplexity, Integer divergesAt, List<Integer> diverges,
                            List<String> answers) {
    public VariantResult {
        diverges = java.util.Collections.unmodifiableList(new ArrayList<>(diverges));
        answers = List.copyOf(answers);
    }

    /**
     * The JSON object of {@code mbllm compare --json} and {@code /api/compare}, with snake_case names; a
     * missing or non-finite figure is {@code null}.
     */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("reference", reference);
        m.put("size", size);
        m.put("bits_per_weight", finite(bitsPerWeight));
        m.put("load_ms", finite(loadMs));
        m.put("prompt_tps", finite(promptTps));
        m.put("gen_tps", finite(genTps));
        m.put("kld_mean", finite(kldMean));
        m.put("kld_p99", finite(kldP99));
        m.put("top1_agreement", finite(top1Agreement));
        m.put("positions", positions);
        m.put("perplexity", finite(perplexity));
        m.put("diverges_at", divergesAt);
        m.put("diverges", diverges);
        m.put("answers", answers);
        return m;
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }
}
