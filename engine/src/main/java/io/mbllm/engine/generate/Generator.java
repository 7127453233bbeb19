package io.mbllm.engine.generate;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Function;

import io.mbllm.engine.sample.Sampler;
import io.mbllm.engine.sample.SamplingOptions;
import io.mbllm.engine.sample.StopMatcher;

/**
 * The generation loop of one sequence: prompt tokens → one batched prompt evaluation → sample, decode, match
 * stop strings and stream, one token at a time, until an end-of-generation token, a stop string,
 * {@code num_predict} tokens, a full context, or cancellation.
 *
 * <p>The generator owns its {@link LogitSource}: it remembers which tokens the context holds and, on the next
 * request, evaluates only what follows the longest common prefix (a chat that grows turn by turn re-evaluates
 * only the new turn). Not thread-safe: one request at a time.
 *
 * <p>Prompt longer than the context ({@code num_ctx}): with truncation off, a {@link PromptTooLongException}
 * ("the input length exceeds the context length", as Ollama). With truncation on (Ollama's default), the
 * first {@code num_keep} tokens are kept (capped at half the context) and then as many of the last tokens as
 * fill half of the remaining context, leaving the other half for the answer (Ollama keeps {@code num_keep}
 * plus the tail and later shifts half the context out; without context shifting this makes the same room
 * up front). The dropped count is reported in {@link GenerationStats#truncatedTokens()}. Chat callers should
 * rather drop whole old messages before tokenizing (api-contract §3.4).
 */
public final class Generator {
    private final LogitSource model;
    private final IntPredicate endOfGeneration;
    private final Function<int[], ? extends TokenDecoder> decoders;
    private final int[] cached;
    private int cachedCount;

    /**
     * @param model           the sequence to run (the generator must be its only user)
     * @param endOfGeneration true for tokens that end generation (EOS, end of turn)
     * @param decoders        a fresh streaming detokenizer per request, given the prompt tokens it follows (so
     *                        that the first generated piece is decoded in context: an SPM tokenizer strips the
     *                        leading space of the first piece of a text, not of a continuation)
     */
    public Generator(LogitSource model, IntPredicate endOfGeneration, Function<int[], ? extends TokenDecoder> decoders) {
        this.model = model;
        this.endOfGeneration = endOfGeneration;
        this.decoders = decoders;
        this.cached = new int[model.contextLength()];
    }

    /** The sequence this generator runs. */
    public LogitSource model() {
        return model;
    }

    /** Forgets the cached context: the next request evaluates its whole prompt. */
    public void reset() {
        cachedCount = 0;
        model.rewind(0);
    }

    /**
     * Runs one generation.
     *
     * @param prompt    the prompt tokens (BOS included when the model wants one)
     * @param options   sampling options ({@code num_ctx} is the context's business, not read here)
     * @param truncate  whether a prompt longer than the context may be cut (else an error)
     * @param out       receives each non-empty piece of text as soon as it is safe to show
     * @param cancelled polled before every token; true ends the generation with {@link DoneReason#CANCELLED}
     * @throws GenerationException for an empty prompt, or {@link PromptTooLongException}
     */
    public GenerationStats generate(int[] prompt, SamplingOptions options, boolean truncate, Consumer<String> out,
                                    BooleanSupplier cancelled) throws GenerationException {
        int ctx = model.contextLength();
        if (prompt.length == 0) throw new GenerationException("empty prompt: there is no token to evaluate");
        int[] tokens = fit(prompt, ctx, options.numKeep(), truncate);
        int n = tokens.length;

        int valid = Math.min(cachedCount, model.position());
        int reuse = 0;
        while (reuse < valid && reuse < n && cached[reuse] == tokens[reuse]) reuse++;
        if (reuse == n) reuse = n - 1; // the last token must be evaluated again for its logits
        cachedCount = reuse;
        model.rewind(reuse);

        long t0 = System.nanoTime();
        float[] logits = model.evaluate(tokens, reuse, n - reuse);
        System.arraycopy(tokens, reuse, cached, reuse, n - reuse);
        cachedCount = n;
        long t1 = System.nanoTime();

        Sampler sampler = new Sampler(options, model.vocabSize(), ctx);
        sampler.acceptAll(tokens, 0, n);
        StopMatcher stops = new StopMatcher(options.stop());
        TokenDecoder decoder = decoders.apply(tokens);
        int evalCount = 0;
        DoneReason reason;
        while (true) {
            if (cancelled.getAsBoolean()) {
                reason = DoneReason.CANCELLED;
                break;
            }
            if (options.limitsTokens() && evalCount >= options.numPredict()) {
                reason = DoneReason.LENGTH;
                break;
            }
            int token = sampler.sample(logits);
            evalCount++;
            if (endOfGeneration.test(token)) {
                reason = DoneReason.STOP;
                break;
            }
            sampler.accept(token);
            emit(out, stops.feed(decoder.decode(token)));
            if (stops.stopped()) {
                reason = DoneReason.STOP;
                break;
            }
            if (options.limitsTokens() && evalCount >= options.numPredict()) {
                reason = DoneReason.LENGTH; // checked here too, so that the last token is not fed back
                break;
            }
            if (model.position() >= ctx) {
                reason = DoneReason.LENGTH;
                break;
            }
            logits = model.step(token);
            cached[cachedCount++] = token;
        }
        if (!stops.stopped()) {
            emit(out, stops.feed(decoder.flush()));
            emit(out, stops.flush());
            if (stops.stopped()) reason = DoneReason.STOP;
        }
        long t2 = System.nanoTime();
        return new GenerationStats(n, n - reuse, t1 - t0, evalCount, t2 - t1, reason, prompt.length - n,
                sampler.seed());
    }

    private static void emit(Consumer<String> out, String text) {
        if (!text.isEmpty()) out.accept(text);
    }

    /**
     * The prompt as it will be evaluated: unchanged when it fits in {@code contextLength}; else, when
     * allowed, the first {@code min(numKeep, contextLength / 2)} tokens followed by the last
     * {@code max(1, (contextLength - kept) / 2)}.
     */
    static int[] fit(int[] prompt, int contextLength, int numKeep, boolean truncate) throws PromptTooLongException {
        if (prompt.length <= contextLength) return prompt;
        if (!truncate || numKeep < 0) throw new PromptTooLongException(prompt.length, contextLength);
        int keep = Math.min(numKeep, contextLength / 2);
        int tail = Math.max(1, (contextLength - keep) / 2);
        int[] out = new int[keep + tail];
        System.arraycopy(prompt, 0, out, 0, keep);
        System.arraycopy(prompt, prompt.length - tail, out, keep, tail);
        return out;
    }
}
