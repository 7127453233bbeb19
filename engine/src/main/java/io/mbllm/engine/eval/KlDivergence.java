package io.mbllm.engine.eval;

import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;

/**
 * KL divergence of a model against a base file, with llama-perplexity's definition
 * (tools/perplexity/perplexity.cpp, {@code kl_divergence}): the chunks and tokens come from the base file, each
 * chunk is evaluated as for perplexity, and at each scored position the model's softmax q is compared with the
 * stored base distribution p: {@code KLD = Σ p_i (log p_i − log q_i)} over the tokens with {@code log p_i > −16},
 * top-1 agreement (first index wins ties on both sides), {@code Δp = q(target) − p(target)}, and the NLL of the
 * target under both.
 */
public final class KlDivergence {
    private KlDivergence() {}

    /** Called after each chunk with the running figures over chunks {@code 1 … chunk}. */
    @FunctionalInterface
    public interface Listener {
        void chunkDone(int chunk, int chunks, Running running);
    }

    /**
     * The running figures llama-perplexity prints per chunk.
     *
     * @param ppl        PPL(Q) ±
     * @param lnPplRatio ln(PPL(Q)/PPL(base)) ±
     * @param kld        mean KLD ±
     * @param deltaPRms  RMS Δp ±
     * @param sameTop    same top-1 share ±
     */
    public record Running(int count, Estimate ppl, Estimate lnPplRatio, Estimate kld, Estimate deltaPRms, Estimate sameTop) {}

    /** Sums over compared positions, plus the per-position KLD and Δp for the order statistics. */
    public static final class Accumulator {
        private double sumNll, sumNll2, sumNllBase, sumNllBase2, sumNllNllBase, sumKld, sumKld2;
        private double sumPDiff, sumPDiff2, sumPDiff4;
        private float maxPDiff;
        private int sameTop, count;
        private final float[] kldValues, pDiffValues;

        /** Room for {@code capacity} positions. */
        public Accumulator(int capacity) {
            kldValues = new float[capacity];
            pDiffValues = new float[capacity];
        }

        public int count() {
            return count;
        }

        /**
         * Compares one position: the model's logits {@code z[off .. off + nVocab)} against the base record at
         * {@code rec[recOff ..]}, with {@code target} the next token. Returns the position's KLD.
         */
        public double add(float[] z, int off, int nVocab, short[] rec, int recOff, int target) {
            if (count == kldValues.length) throw new IllegalStateException("accumulator full: " + count);
            float maxLogit = z[off];
            int imax = 0;
            for (int i = 1; i < nVocab; i++) {
                if (z[off + i] > maxLogit) {
                    maxLogit = z[off + i];
                    imax = i;
                }
            }
            float logSumExp = LogProbs.logSumExpAboveMax(z, off, nVocab, maxLogit);
            float scale = LogitsBaseFile.scale(rec, recOff), minLogProb = LogitsBaseFile.minLogProb(rec, recOff);
            int q0 = recOff + 4;

            float nll = maxLogit + logSumExp - z[off + target];
            sumNll += nll;
            sumNll2 += nll * nll;
            float nllBase = -(scale * Short.toUnsignedInt(rec[q0 + target]) + minLogProb);
            sumNllBase += nllBase;
            sumNllBase2 += nllBase * nllBase;
            sumNllNllBase += nll * nllBase;

            float logNorm = maxLogit + logSumExp;
            double kld = 0;
            int imaxBase = -1;
            float baseMax = 0;
            for (int i = 0; i < nVocab; i++) {
                float lp = scale * Short.toUnsignedInt(rec[q0 + i]) + minLogProb;
                if (i == 0 || lp > baseMax) {
                    baseMax = lp;
                    imaxBase = i;
                }
                if (lp > -LogitsBaseFile.RANGE) {
                    float p = (float) Math.exp(lp);
                    kld += p * (lp - z[off + i] + logNorm);
                }
            }
            sumKld += kld;
            sumKld2 += kld * kld;
            if (imax == imaxBase) sameTop++;

            float pBase = (float) Math.exp(-nllBase);
            float p = (float) Math.exp(-nll);
            float pDiff = p - pBase;
            sumPDiff += pDiff;
            double pDiff2 = pDiff * pDiff;
            sumPDiff2 += pDiff2;
            sumPDiff4 += pDiff2 * pDiff2;
            maxPDiff = Math.max(maxPDiff, Math.abs(pDiff));
            kldValues[count] = (float) kld;
            pDiffValues[count] = pDiff;
            count++;
            return kld;
        }

        /**
         * Adds every position of {@code other} (its sums and per-position values), as if they had been added
         * here: how a comparison pools the positions of several runs into one set of statistics.
         */
        public void addAll(Accumulator other) {
            if (count + other.count > kldValues.length) {
                throw new IllegalStateException("accumulator holds " + kldValues.length + ", needs " + (count + other.count));
            }
            sumNll += other.sumNll;
            sumNll2 += other.sumNll2;
            sumNllBase += other.sumNllBase;
            sumNllBase2 += other.sumNllBase2;
            sumNllNllBase += other.sumNllNllBase;
            sumKld += other.sumKld;
            sumKld2 += other.sumKld2;
            sumPDiff += other.sumPDiff;
            sumPDiff2 += other.sumPDiff2;
            sumPDiff4 += other.sumPDiff4;
            maxPDiff = Math.max(maxPDiff, other.maxPDiff);
            sameTop += other.sameTop;
            System.arraycopy(other.kldValues, 0, kldValues, count, other.count);
            System.arraycopy(other.pDiffValues, 0, pDiffValues, count, other.count);
            count += other.count;
        }

        private double covariance() {
            if (count < 10) return 0;
            double var = sumNllNllBase / count - (sumNllBase / count) * (sumNll / count);
            return var / (count - 1);
        }

        private Estimate lnRatio(Estimate lnQ, Estimate lnBase) {
            return new Estimate(lnQ.value() - lnBase.value(), Math.sqrt(lnQ.error() * lnQ.error()
                    + lnBase.error() * lnBase.error() - 2.0 * covariance()));
        }

        private Estimate rms() {
            Estimate mse = Estimate.mean(sumPDiff2, sumPDiff4, count);
            double v = Math.sqrt(mse.value());
            return new Estimate(v, 0.5 / v * mse.error());
        }

        private Estimate top() {
            double s = (double) sameTop / count;
            return new Estimate(s, Math.sqrt(s * (1 - s) / (count - 1)));
        }

        private static Estimate exp(Estimate ln) {
            double v = Math.exp(ln.value());
            return new Estimate(v, v * ln.error());
        }

        /** The running figures over the positions so far. */
        public Running running() {
            Estimate lnQ = Estimate.mean(sumNll, sumNll2, count);
            Estimate lnBase = Estimate.mean(sumNllBase, sumNllBase2, count);
            return new Running(count, exp(lnQ), lnRatio(lnQ, lnBase), Estimate.mean(sumKld, sumKld2, count), rms(), top());
        }

        /** The final statistics (sorts the stored per-position values). */
        public KldResult result() {
            if (count < 1) throw new IllegalStateException("no positions compared");
            Estimate lnQ = Estimate.mean(sumNll, sumNll2, count);
            Estimate lnBase = Estimate.mean(sumNllBase, sumNllBase2, count);
            Estimate pplQ = exp(lnQ), pplBase = exp(lnBase);
            double cov = covariance();
            Estimate lnRatio = lnRatio(lnQ, lnBase);
            double pplCov = pplQ.value() * pplBase.value() * cov;
            Estimate diff = new Estimate(pplQ.value() - pplBase.value(), Math.sqrt(pplQ.error() * pplQ.error()
                    + pplBase.error() * pplBase.error() - 2.0 * pplCov));
            return new KldResult(count, pplQ, pplBase, cov / (lnQ.error() * lnBase.error()), lnRatio, exp(lnRatio), diff,
                    Estimate.mean(sumKld, sumKld2, count), Distribution.of(kldValues, count),
                    Estimate.mean(sumPDiff, sumPDiff2, count), Distribution.of(pDiffValues, count), rms(), top());
        }
    }

    /**
     * Runs the model over the base file's chunks and compares every scored position.
     *
     * @param ctx      a context with at least the base file's C positions (reset for every chunk)
     * @param base     the base file
     * @param bos      the chunk-start replacement ({@link Perplexity#chunkStartToken}), or -1
     * @param listener progress, may be null
     * @throws EvalException when the base file's vocabulary size differs from the model's, or C does not fit
     */
    public static KldResult compute(InferenceContext ctx, LogitsBaseFile.Reader base, int bos, Listener listener)
            throws EvalException {
        return compute(ctx, base, bos, new Accumulator(base.header().scoredPerChunk() * base.header().chunks()), listener);
    }

    /**
     * As {@link #compute(InferenceContext, LogitsBaseFile.Reader, int, Listener)}, adding the positions to
     * {@code acc} (which needs room for {@code scoredPerChunk · chunks} more), so that the caller can pool them
     * with others ({@link Accumulator#addAll}).
     */
    public static KldResult compute(InferenceContext ctx, LogitsBaseFile.Reader base, int bos, Accumulator acc,
                                    Listener listener) throws EvalException {
        LogitsBaseFile.Header h = base.header();
        int nVocab = ctx.model().config().vocabSize();
        if (h.vocabSize() != nVocab) {
            throw new EvalException("inconsistent vocabulary: the base file has " + h.vocabSize() + " tokens, the model " + nVocab);
        }
        ChunkEvaluator eval = new ChunkEvaluator(ctx, h.contextLength(), bos);
        int per = h.scoredPerChunk(), rv = h.recordValues();
        short[] recs = new short[per * rv];
        int[] tokens = base.tokensShared();
        ChunkEvaluator.PositionSink sink = (i, z, off, target) -> acc.add(z, off, nVocab, recs, i * rv, target);
        try {
            for (int c = 0; c < h.chunks(); c++) {
                base.readChunk(c, recs);
                eval.evaluate(tokens, c * h.contextLength(), sink);
                if (listener != null) listener.chunkDone(c + 1, h.chunks(), acc.running());
            }
        } catch (ContextOverflowException e) {
            throw new IllegalStateException("chunk does not fit the checked context", e);
        }
        return acc.result();
    }
}
