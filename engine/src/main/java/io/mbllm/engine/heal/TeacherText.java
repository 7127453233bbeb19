package io.mbllm.engine.heal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.sample.Sampler;
import io.mbllm.engine.sample.SamplingOptions;
import io.mbllm.kernels.Parallel;

/**
 * Training text written by the teacher itself: sequences sampled from the teacher's own distribution (temperature
 * 1, no top-k / top-p / min-p truncation, no repetition penalty), so the student is trained where the teacher puts
 * its probability mass and the held-out evaluation text is never seen. Each sequence starts with the chunk-start
 * token (BOS, when the vocabulary adds one) followed by a prompt's tokens (prompts taken in turn; none: from BOS
 * alone), and runs to {@code seqLen} tokens or to the first end-of-generation token, which it keeps. Deterministic
 * for a seed (one {@link Sampler} drawing through all sequences).
 */
public final class TeacherText {
    private TeacherText() {}

    /**
     * Samples sequences until they hold at least {@code nTokens} tokens in all.
     *
     * @param bos      the first token of each sequence, or -1 for none
     * @param eos      the end-of-generation tokens (a sampled one ends the sequence)
     * @param prompts  token runs to start sequences with, in turn (may be empty)
     * @param progress called with the number of tokens generated so far, after each sequence
     */
    public static List<int[]> generate(Model teacher, int bos, java.util.function.IntPredicate eos, List<int[]> prompts,
                                       int nTokens, int seqLen, long seed, Parallel pool, IntConsumer progress) {
        if (nTokens < 1) throw new IllegalArgumentException("--generate must be at least 1 token, got " + nTokens);
        if (seqLen < 2) throw new IllegalArgumentException("--seq-len must be at least 2, got " + seqLen);
        int nVocab = teacher.config().vocabSize();
        SamplingOptions opts = SamplingOptions.DEFAULTS.with(Map.of("temperature", 1.0, "top_k", 0, "top_p", 1.0,
                "min_p", 0.0, "repeat_penalty", 1.0, "seed", seed));
        Sampler sampler = new Sampler(opts, nVocab, seqLen);
        List<int[]> out = new ArrayList<>();
        int total = 0;
        int[] seq = new int[seqLen];
        try (InferenceContext ctx = teacher.newContext(ContextOptions.of(seqLen).withMaxBatch(seqLen).withParallel(pool))) {
            while (total < nTokens) {
                int n = 0;
                if (bos >= 0) seq[n++] = bos;
                if (!prompts.isEmpty()) {
                    int[] p = prompts.get(out.size() % prompts.size());
                    int take = Math.min(p.length, seqLen - 1 - n);
                    System.arraycopy(p, 0, seq, n, take);
                    n += take;
                }
                if (n == 0) throw new IllegalArgumentException("the teacher needs a BOS token or a prompt to start from");
                ctx.reset();
                float[] logits = ctx.evaluate(seq, 0, n);
                while (n < seqLen) {
                    int t = sampler.sample(logits);
                    seq[n++] = t;
                    if (eos.test(t) || n == seqLen) break;
                    logits = ctx.step(t);
                }
                out.add(java.util.Arrays.copyOf(seq, n));
                total += n;
                if (progress != null) progress.accept(Math.min(total, nTokens));
            }
        } catch (ContextOverflowException e) {
            throw new IllegalStateException("a sequence outgrew its own context", e);
        }
        return out;
    }
}
