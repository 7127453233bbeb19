package io.mbllm.engine.eval;

import java.io.IOException;

import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.tokenizer.Tokenizer;

/**
 * Perplexity with llama-perplexity's definition (tools/perplexity/perplexity.cpp, {@code perplexity}): the text
 * is cut into {@code floor(N/C)} non-overlapping chunks of C tokens (the rest is dropped), each evaluated from an
 * empty cache with its first token replaced by BOS, and only the second half is scored: the logits at positions
 * {@code C/2 … C − 2} against the next token. PPL = exp(mean NLL). Optionally writes a KL-divergence base file
 * ({@link LogitsBaseFile}) on the way.
 */
public final class Perplexity {
    private Perplexity() {}

    /** Called after each chunk with the running PPL over chunks {@code 1 … chunk}. */
    @FunctionalInterface
    public interface Listener {
        void chunkDone(int chunk, int chunks, double runningPpl);
    }

    /**
     * How a token sequence is cut.
     *
     * @param contextLength  C
     * @param chunks         {@code floor(N / C)}
     * @param scoredPerChunk {@code C − 1 − C/2}
     */
    public record Plan(int contextLength, int chunks, int scoredPerChunk) {
        public int tokensScored() {
            return chunks * scoredPerChunk;
        }

        public int tokensUsed() {
            return chunks * contextLength;
        }
    }

    /**
     * The chunking of {@code nTokens} tokens with context size {@code contextLength}.
     *
     * @throws EvalException when C &lt; 4 or there are fewer than 2·C tokens (llama-perplexity's minimum)
     */
    public static Plan plan(int nTokens, int contextLength) throws EvalException {
        if (contextLength < 4) throw new EvalException("context size must be at least 4 to score anything: " + contextLength);
        if (nTokens < 2L * contextLength) {
            throw new EvalException("you need at least " + 2L * contextLength + " tokens to evaluate perplexity with a context of "
                    + contextLength + "; the text tokenizes to only " + nTokens + " tokens");
        }
        return new Plan(contextLength, nTokens / contextLength, LogitsBaseFile.scoredPerChunk(contextLength));
    }

    /**
     * Tokenizes a text file's content as llama-perplexity's {@code -f} does: exactly one trailing newline is
     * removed, special tokens (BOS) are added, special-token text is not parsed.
     */
    public static int[] tokenizeText(Tokenizer tokenizer, String text) {
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return tokenizer.encode(t, true, false);
    }

    /** The id written over each chunk's first token: BOS when the vocabulary adds it, else -1 (none). */
    public static int chunkStartToken(Tokenizer tokenizer) {
        return tokenizer.vocabulary().flags().addBos() ? tokenizer.bos() : -1;
    }

    /**
     * Runs the perplexity computation.
     *
     * @param ctx           a context with at least {@code contextLength} positions (it is reset for every chunk)
     * @param tokens        the tokenized text ({@link #tokenizeText})
     * @param contextLength C
     * @param bos           the chunk-start replacement ({@link #chunkStartToken}), or -1
     * @param base          when not null, receives the base-file records (its header must match the plan)
     * @param listener      progress, may be null
     */
    public static PerplexityResult compute(InferenceContext ctx, int[] tokens, int contextLength, int bos,
                                           LogitsBaseFile.Writer base, Listener listener) throws EvalException, IOException {
        Plan plan = plan(tokens.length, contextLength);
        ChunkEvaluator eval = new ChunkEvaluator(ctx, contextLength, bos);
        int nVocab = eval.vocabSize();
        for (int t : tokens) {
            if (t < 0 || t >= nVocab) throw new EvalException("token id " + t + " outside the model's vocabulary of " + nVocab);
        }
        short[] recs = null;
        int rv = LogitsBaseFile.recordValues(nVocab);
        if (base != null) {
            LogitsBaseFile.Header h = base.header();
            if (h.contextLength() != contextLength || h.vocabSize() != nVocab || h.chunks() != plan.chunks()) {
                throw new IllegalArgumentException("base file header " + h + " does not match the run (" + plan + ", n_vocab " + nVocab + ")");
            }
            recs = new short[plan.scoredPerChunk() * rv];
        }
        double[] sums = new double[2]; // nll, nll²
        double[] running = new double[plan.chunks()];
        short[] r = recs;
        ChunkEvaluator.PositionSink sink = r == null
                ? (i, z, off, target) -> add(sums, LogProbs.nll(z, off, nVocab, target))
                : (i, z, off, target) -> add(sums, LogitsBaseFile.encode(z, off, nVocab, target, r, i * rv));
        try {
            for (int c = 0; c < plan.chunks(); c++) {
                eval.evaluate(tokens, c * contextLength, sink);
                if (base != null) base.write(recs, plan.scoredPerChunk());
                int count = (c + 1) * plan.scoredPerChunk();
                running[c] = Math.exp(sums[0] / count);
                if (listener != null) listener.chunkDone(c + 1, plan.chunks(), running[c]);
            }
        } catch (ContextOverflowException e) {
            throw new IllegalStateException("chunk does not fit the checked context", e);
        }
        int n = plan.tokensScored();
        double mean = sums[0] / n;
        double var = sums[1] / n - mean * mean;
        double ppl = Math.exp(mean);
        double err = var > 0 && n > 1 ? ppl * Math.sqrt(var / (n - 1)) : Double.NaN;
        return new PerplexityResult(contextLength, plan.chunks(), n, mean, ppl, err, running);
    }

    private static void add(double[] sums, double nll) {
        sums[0] += nll;
        sums[1] += nll * nll;
    }
}
