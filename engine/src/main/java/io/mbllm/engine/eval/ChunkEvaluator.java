package io.mbllm.engine.eval;

import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;

/**
 * Evaluates one perplexity chunk as llama-perplexity does: the cache is cleared, the chunk's C tokens take
 * positions 0 … C − 1, its first token is replaced by BOS (when the vocabulary adds one), and the logits at
 * positions C/2 … C − 2 are handed out with the next text token as target. Position C − 1 is never evaluated:
 * its logits are not scored. Buffers are allocated once; evaluating a chunk allocates nothing.
 */
final class ChunkEvaluator {
    /** Receives the logits of one scored position. */
    interface PositionSink {
        /**
         * @param scored index of the scored position within the chunk (0 … C − 2 − C/2)
         * @param logits buffer holding the logits at {@code off .. off + n_vocab}
         * @param target the token that follows
         */
        void accept(int scored, float[] logits, int off, int target);
    }

    private final InferenceContext ctx;
    private final int contextLength;
    private final int bos;
    private final int nVocab;
    private final int slice;
    private final int[] chunk;
    private final float[] out;

    /**
     * @param bos the id written over each chunk's first token, or -1 to keep the text token
     * @throws EvalException when the context holds fewer than {@code contextLength} positions
     */
    ChunkEvaluator(InferenceContext ctx, int contextLength, int bos) throws EvalException {
        if (contextLength < 4) throw new EvalException("context size must be at least 4 to score anything: " + contextLength);
        if (ctx.contextLength() < contextLength) {
            throw new EvalException("the inference context holds " + ctx.contextLength() + " positions, chunks need " + contextLength);
        }
        this.ctx = ctx;
        this.contextLength = contextLength;
        this.bos = bos;
        this.nVocab = ctx.model().config().vocabSize();
        this.slice = Math.max(1, Math.min(ctx.maxBatch(), LogitsBaseFile.scoredPerChunk(contextLength)));
        // logits of a slice here, and of a whole batch inside the context: refuse rather than run out of memory
        long need = ((long) slice + ctx.maxBatch()) * nVocab * Float.BYTES;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free || (long) slice * nVocab > Integer.MAX_VALUE - 8) {
            throw new EvalException("the logits of " + slice + " + " + ctx.maxBatch() + " positions need " + (need >> 20)
                    + " MiB of heap, only " + (free >> 20) + " MiB are free: use a smaller batch or a larger -Xmx");
        }
        this.chunk = new int[contextLength];
        this.out = new float[slice * nVocab];
    }

    int contextLength() {
        return contextLength;
    }

    int vocabSize() {
        return nVocab;
    }

    /** Evaluates the chunk {@code tokens[start .. start + C)} and feeds every scored position to {@code sink}. */
    void evaluate(int[] tokens, int start, PositionSink sink) throws ContextOverflowException {
        System.arraycopy(tokens, start, chunk, 0, contextLength);
        if (bos >= 0) chunk[0] = bos;
        ctx.reset();
        int first = contextLength / 2;
        ctx.evaluate(chunk, 0, first);
        int last = contextLength - 1; // exclusive: logits at positions first .. C-2
        for (int p = first; p < last; p += slice) {
            int n = Math.min(slice, last - p);
            ctx.evaluateAll(chunk, p, n, out);
            for (int t = 0; t < n; t++) {
                sink.accept(p + t - first, out, t * nVocab, tokens[start + p + t + 1]);
            }
        }
    }
}
