package io.mbllm.engine.sample;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns logits into the next token, following llama.cpp's common sampler chain: penalties → top_k → typical_p →
 * top_p → min_p → temperature → random draw. Temperature 0 short-cuts to the argmax of the raw logits (ties to
 * the lower id), as Ollama does. A sampler belongs to one sequence: it remembers the last {@code repeat_last_n}
 * tokens {@link #accept accepted} (prompt and generated) for the penalties, and owns its random generator, so
 * one seed always gives the same tokens. Not thread-safe.
 *
 * <p>All buffers are sized to the vocabulary once; {@link #sample} allocates nothing.
 */
public final class Sampler {
    private final SamplingOptions options;
    private final int vocabSize;
    private final Candidates candidates;
    private final long seed;
    private final SplittableRandom random;

    // penalty window: ring buffer of the last `window` accepted tokens, and per-token counts over it
    private final int window;
    private final boolean penalize;
    private final int[] ring;
    private int ringHead, ringCount;
    private final int[] counts;
    private final int[] stamp;
    private int generation;

    /**
     * A sampler for a vocabulary of {@code vocabSize} tokens in a context of {@code contextLength} tokens (what
     * {@code repeat_last_n = -1} means).
     */
    public Sampler(SamplingOptions options, int vocabSize, int contextLength) {
        if (vocabSize < 1) throw new IllegalArgumentException("vocabulary size must be >= 1: " + vocabSize);
        this.options = options;
        this.vocabSize = vocabSize;
        this.seed = options.seed() == SamplingOptions.RANDOM_SEED
                ? ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFFL
                : options.seed();
        this.random = new SplittableRandom(seed);
        int n = options.repeatLastN() == -1 ? Math.max(0, contextLength) : options.repeatLastN();
        this.window = n;
        this.penalize = n > 0 && !options.greedy() && (options.repeatPenalty() != 1f
                || options.frequencyPenalty() != 0f || options.presencePenalty() != 0f);
        this.ring = new int[penalize ? n : 0];
        this.counts = new int[penalize ? vocabSize : 0];
        this.stamp = new int[penalize ? vocabSize : 0];
        this.candidates = new Candidates(vocabSize);
    }

    /** The options this sampler applies. */
    public SamplingOptions options() {
        return options;
    }

    /** The seed in use (drawn at random when the options asked for {@code seed = -1}). */
    public long seed() {
        return seed;
    }

    /** Records a token of the sequence (prompt or generated) in the penalty window. */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token id " + token + " out of range [0, " + vocabSize + ")");
        }
        if (!penalize) return;
        if (ringCount == window) {
            int old = ring[ringHead];
            counts[old]--;
            ring[ringHead] = token;
            ringHead = (ringHead + 1) % window;
        } else {
            ring[(ringHead + ringCount) % window] = token;
            ringCount++;
        }
        counts[token]++;
    }

    /** {@link #accept} for {@code tokens[from .. from+count)}. */
    public void acceptAll(int[] tokens, int from, int count) {
        for (int i = from; i < from + count; i++) accept(tokens[i]);
    }

    /** Forgets the accepted tokens (the random generator keeps its state). */
    public void reset() {
        if (!penalize) return;
        for (int i = 0; i < ringCount; i++) counts[ring[(ringHead + i) % window]] = 0;
        ringHead = 0;
        ringCount = 0;
    }

    /**
     * The next token for {@code logits} (length = vocabulary size; not modified). Does not {@link #accept} it.
     */
    public int sample(float[] logits) {
        checkLength(logits);
        if (options.greedy()) return Filters.argmax(logits);
        Candidates c = filter(logits);
        return c.id[Filters.pick(c, random.nextDouble())];
    }

    /**
     * Runs every step but the draw and returns the surviving candidates with their final probabilities
     * (package-private: the tests check each step's survivors through it).
     */
    Candidates filter(float[] logits) {
        checkLength(logits);
        Candidates c = candidates;
        c.load(logits);
        if (penalize) applyPenalties(c);
        Filters.topK(c, options.topK());
        Filters.typical(c, options.typicalP());
        Filters.topP(c, options.topP());
        Filters.minP(c, options.minP());
        Filters.temperature(c, options.temperature());
        c.softmax();
        return c;
    }

    /**
     * Repeat penalty (a positive logit divided by it, a negative one multiplied), then frequency (per
     * occurrence) and presence (once) penalties, for each distinct token of the window. Runs on the freshly
     * loaded candidates, where entry i is token i.
     */
    private void applyPenalties(Candidates c) {
        if (ringCount == 0) return;
        int gen = ++generation;
        if (gen == 0) { // wrapped: clear the stamps once every 2^32 calls
            java.util.Arrays.fill(stamp, 0);
            gen = generation = 1;
        }
        float repeat = options.repeatPenalty(), freq = options.frequencyPenalty(), presence = options.presencePenalty();
        for (int i = 0; i < ringCount; i++) {
            int t = ring[(ringHead + i) % window];
            if (stamp[t] == gen) continue;
            stamp[t] = gen;
            int count = counts[t];
            float l = c.logit[t];
            l = l <= 0 ? l * repeat : l / repeat;
            c.logit[t] = l - count * freq - presence;
        }
        c.sorted = false;
    }

    private void checkLength(float[] logits) {
        if (logits.length != vocabSize) {
            throw new IllegalArgumentException("logits of length " + logits.length + " for a vocabulary of " + vocabSize);
        }
    }
}
