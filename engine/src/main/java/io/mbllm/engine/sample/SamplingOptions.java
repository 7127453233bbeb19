package io.mbllm.engine.sample;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The per-request generation options, with Ollama's names, defaults and meanings (see
 * {@code api-contract.md} §1). Every instance is valid: the canonical constructor rejects bad values with an
 * {@link InvalidOptionException} naming the option. Build one from {@link #DEFAULTS} and a map of option names
 * with {@link #with(Map)}.
 *
 * @param temperature      {@code temperature}, &ge; 0; 0 means greedy (argmax of the raw logits, ties to the
 *                         lower id)
 * @param topK             {@code top_k}; &le; 0 disables, 1 is greedy after the penalties
 * @param topP             {@code top_p} in [0, 1]; 1 disables
 * @param minP             {@code min_p} in [0, 1]; 0 disables
 * @param typicalP         {@code typical_p} in [0, 1]; 1 disables
 * @param repeatPenalty    {@code repeat_penalty} &gt; 0; 1 disables
 * @param repeatLastN      {@code repeat_last_n}: tokens the penalties look back; 0 disables, -1 means num_ctx
 * @param presencePenalty  {@code presence_penalty}, subtracted once from every token in the window
 * @param frequencyPenalty {@code frequency_penalty}, subtracted per occurrence in the window
 * @param seed             {@code seed}; -1 picks a random seed; the same seed, prompt and options give the same
 *                         tokens
 * @param numPredict       {@code num_predict}: most tokens to generate; -1 (or -2) until end of generation or a
 *                         full context; 0 generates nothing
 * @param numCtx           {@code num_ctx}: context length in tokens (capped at the model's trained length
 *                         when the context is built)
 * @param numKeep          {@code num_keep}: prompt tokens kept at the start when a prompt must be truncated;
 *                         -1 keeps all (no truncation possible)
 * @param stop             {@code stop}: stop strings, matched on the decoded text and never emitted; empty
 *                         strings are dropped
 */
public record SamplingOptions(float temperature, int topK, float topP, float minP, float typicalP,
                              float repeatPenalty, int repeatLastN, float presencePenalty, float frequencyPenalty,
                              long seed, int numPredict, int numCtx, int numKeep, List<String> stop) {

    /** {@code seed} value that asks for a random seed. */
    public static final long RANDOM_SEED = -1;

    /** Largest accepted {@code num_ctx} (a bound against absurd allocations; no model in reach is longer). */
    public static final int MAX_NUM_CTX = 1 << 24;

    /**
     * Ollama's built-in defaults (api/types.go DefaultOptions): temperature 0.8, top_k 40, top_p 0.9, min_p 0,
     * typical_p 1, repeat_penalty 1.1, repeat_last_n 64, presence/frequency 0, seed -1, num_predict -1,
     * num_ctx 4096, num_keep 4, no stop strings.
     */
    public static final SamplingOptions DEFAULTS = new SamplingOptions(0.8f, 40, 0.9f, 0.0f, 1.0f,
            1.1f, 64, 0.0f, 0.0f, RANDOM_SEED, -1, 4096, 4, List.of());

    public SamplingOptions {
        requireFinite("temperature", temperature);
        if (temperature < 0) throw invalid("temperature", "must be >= 0", temperature);
        requireUnit("top_p", topP);
        requireUnit("min_p", minP);
        requireUnit("typical_p", typicalP);
        requireFinite("repeat_penalty", repeatPenalty);
        if (!(repeatPenalty > 0) || Float.isInfinite(1.0f / repeatPenalty)) {
            throw invalid("repeat_penalty", "must be greater than 0", repeatPenalty);
        }
        if (repeatLastN < -1) throw invalid("repeat_last_n", "must be >= -1 (-1 = num_ctx, 0 = disabled)", repeatLastN);
        requireFinite("presence_penalty", presencePenalty);
        requireFinite("frequency_penalty", frequencyPenalty);
        if (numPredict < -2) throw invalid("num_predict", "must be >= -1 (-1 = no limit)", numPredict);
        if (numCtx < 1 || numCtx > MAX_NUM_CTX) throw invalid("num_ctx", "must be between 1 and " + MAX_NUM_CTX, numCtx);
        if (numKeep < -1) throw invalid("num_keep", "must be >= -1 (-1 = keep the whole prompt)", numKeep);
        Objects.requireNonNull(stop, "stop");
        for (String s : stop) {
            if (s == null) throw new InvalidOptionException("stop", "option \"stop\" must be an array of strings");
        }
        stop = stop.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** True when sampling is plain argmax of the raw logits (temperature 0). */
    public boolean greedy() {
        return temperature == 0f;
    }

    /** True when {@code num_predict} sets a limit. */
    public boolean limitsTokens() {
        return numPredict >= 0;
    }

    /** These options with the named ones of {@code options} replaced (see {@link OptionsParser#apply}). */
    public SamplingOptions with(Map<String, ?> options) {
        return OptionsParser.apply(this, options);
    }

    private static void requireFinite(String name, float v) {
        if (!Float.isFinite(v)) throw invalid(name, "must be a finite number", v);
    }

    private static void requireUnit(String name, float v) {
        requireFinite(name, v);
        if (v < 0 || v > 1) throw invalid(name, "must be between 0 and 1", v);
    }

    private static InvalidOptionException invalid(String name, String rule, Object got) {
        return new InvalidOptionException(name, "invalid option \"" + name + "\": " + rule + ", got " + got);
    }
}
