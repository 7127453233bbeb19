package io.mbllm.engine.compare;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CancellationException;

import io.mbllm.engine.generate.Greedy;
import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.tokenizer.StreamingDetokenizer;
import io.mbllm.engine.tokenizer.Tokenizer;

/**
 * One greedy answer: the prompt evaluated as a batch from an empty cache, then the most likely token each step
 * (lowest id on ties), up to {@code numPredict} tokens, an end-of-generation token (kept as the last token) or
 * the end of the context.
 *
 * @param prompt       the prompt tokens
 * @param tokens       the generated tokens
 * @param text         the answer's text (control tokens hidden), decoded as the continuation of the prompt
 * @param promptNanos  time to evaluate the prompt
 * @param genNanos     time from the end of the prompt evaluation to the last token
 */
record GreedyAnswer(int[] prompt, int[] tokens, String text, long promptNanos, long genNanos) {

    /**
     * Generates the answer to {@code prompt} on {@code ctx} (which is reset first).
     *
     * @param limit     most tokens (at least 1; at most {@code contextLength − prompt + 1} fit)
     * @param cancelled polled before every token
     */
    static GreedyAnswer generate(InferenceContext ctx, Tokenizer tokenizer, int[] prompt, int limit, BooleanSupplier cancelled)
            throws ContextOverflowException {
        ctx.reset();
        long t0 = System.nanoTime();
        float[] logits = ctx.evaluate(prompt);
        long t1 = System.nanoTime();
        int[] out = new int[limit];
        int n = 0;
        while (n < limit) {
            if (cancelled.getAsBoolean()) throw new CancellationException("comparison cancelled");
            int token = Greedy.argmax(logits);
            out[n++] = token;
            if (tokenizer.isEog(token) || n == limit) break;
            logits = ctx.step(token);
        }
        long t2 = System.nanoTime();
        int[] tokens = Arrays.copyOf(out, n);
        return new GreedyAnswer(prompt, tokens, decode(tokenizer, prompt, tokens), t1 - t0, t2 - t1);
    }

    /** The text of {@code tokens} following {@code prompt} (an SPM tokenizer keeps the leading space). */
    static String decode(Tokenizer tokenizer, int[] prompt, int[] tokens) {
        StreamingDetokenizer d = tokenizer.streaming(false, false);
        for (int t : prompt) d.accept(t);
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) sb.append(d.accept(t));
        return sb.append(d.flush()).toString();
    }

    /** The first index where {@code a} and {@code b} differ (the shorter length when one is a prefix), or -1. */
    static int firstDifference(int[] a, int[] b) {
        return Arrays.mismatch(a, b);
    }
}
