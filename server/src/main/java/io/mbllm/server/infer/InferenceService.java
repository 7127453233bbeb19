package io.mbllm.server.infer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.mbllm.engine.generate.DoneReason;
import io.mbllm.engine.generate.GenerationException;
import io.mbllm.engine.generate.GenerationStats;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.engine.sample.InvalidOptionException;
import io.mbllm.engine.sample.SamplingOptions;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Tool;
import io.mbllm.server.format.JsonConstraint;
import io.mbllm.server.format.JsonGrammar;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.Lease;
import io.mbllm.server.sched.LoadedModel;
import io.mbllm.server.sched.RequestCancelledException;
import io.mbllm.server.sched.ResolvedModel;
import io.mbllm.server.sched.Scheduler;
import io.mbllm.server.sched.ServerBusyException;
import io.mbllm.server.tools.ParsedToolCall;
import io.mbllm.server.tools.ToolCallParser;
import io.mbllm.server.tools.ToolStreamFilter;

/**
 * Runs validated jobs on the {@link Scheduler}'s slots: options (defaults &lt; model parameters &lt; request),
 * prompt rendering, constrained generation, tool-call extraction and embeddings. Failures surface as
 * {@link ApiException}s with the contract's status codes. Thread-safe.
 */
public final class InferenceService {
    /** Receives the answer as it is produced. */
    public interface Sink {
        /** A piece of the answer's text (non-empty). */
        void text(String piece);

        /** The tool calls found in the answer, once, before the end. */
        default void toolCalls(List<ParsedToolCall> calls) {}
    }

    /**
     * How a generation ended.
     *
     * @param stats     the generator's statistics
     * @param loadNanos time until the model and a slot were ready
     * @param context   prompt tokens followed by the generated ones
     * @param prompt    the rendered prompt text
     * @param toolCalls tool calls found (empty when none)
     * @param formatOk  false when a {@code format} constraint could not be kept
     */
    public record Outcome(GenerationStats stats, long loadNanos, int[] context, String prompt,
                          List<ParsedToolCall> toolCalls, boolean formatOk) {}

    /** Embedding vectors (not normalized) and the number of tokens evaluated. */
    public record Embeddings(List<float[]> vectors, int promptTokens, long loadNanos) {}

    private final Scheduler scheduler;
    private final AtomicLong cancelled = new AtomicLong();

    public InferenceService(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Generations that ended because the client went away. */
    public long cancelledGenerations() {
        return cancelled.get();
    }

    /**
     * The effective options: built-in defaults (with the server's default {@code num_ctx}) &lt; the model's
     * parameters &lt; the request's.
     *
     * @throws ApiException 400 for an option of the wrong type or out of range
     */
    public SamplingOptions options(ResolvedModel model, Map<String, Object> request) {
        try {
            SamplingOptions base = SamplingOptions.DEFAULTS.with(Map.of("num_ctx", scheduler.config().contextLength()));
            return base.with(model.parameters()).with(request == null ? Map.of() : request);
        } catch (InvalidOptionException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Loads the model (an empty prompt): returns the load time. */
    public long load(ResolvedModel model, Map<String, Object> options, KeepAlive keepAlive, BooleanSupplier gone) {
        SamplingOptions opts = options(model, options);
        try (Lease lease = acquire(model, opts, keepAlive, gone)) {
            return lease.loadNanos();
        }
    }

    /** Runs a completion. */
    public Outcome generate(GenerateJob job, Sink sink, BooleanSupplier gone) {
        SamplingOptions opts = options(job.model(), job.options());
        try (Lease lease = acquire(job.model(), opts, job.keepAlive(), gone)) {
            useAdapters(lease, job.loraScales());
            PromptRenderer.Rendered p = PromptRenderer.generate(lease.model(), job);
            if (job.renderOnly()) return new Outcome(null, lease.loadNanos(), p.tokens(), p.text(), List.of(), true);
            return run(lease, p, opts, job.truncate(), job.format(), List.of(), sink, gone);
        }
    }

    /** Runs a chat turn. */
    public Outcome chat(ChatJob job, Sink sink, BooleanSupplier gone) {
        SamplingOptions opts = options(job.model(), job.options());
        try (Lease lease = acquire(job.model(), opts, job.keepAlive(), gone)) {
            useAdapters(lease, job.loraScales());
            PromptRenderer.Rendered p;
            try {
                p = PromptRenderer.chat(lease.model(), job, lease.slot().generator().model().contextLength());
            } catch (GenerationException e) {
                throw ApiException.badRequest(e.getMessage());
            }
            if (job.renderOnly()) return new Outcome(null, lease.loadNanos(), p.tokens(), p.text(), List.of(), true);
            return run(lease, p, opts, job.truncate(), job.format(), job.tools(), sink, gone);
        }
    }

    private Outcome run(Lease lease, PromptRenderer.Rendered p, SamplingOptions opts, boolean truncate,
                        JsonGrammar format, List<Tool> tools, Sink sink, BooleanSupplier gone) {
        LoadedModel lm = lease.model();
        JsonConstraint constraint = null;
        if (format != null) {
            constraint = new JsonConstraint(format, lm.pieces(), lm.tokenizer()::isEog);
            lease.slot().constrain(constraint);
        }
        ToolStreamFilter filter = tools.isEmpty() ? null : new ToolStreamFilter(new ToolCallParser(toolNames(tools)));
        GenerationStats stats;
        try {
            stats = lease.slot().generator().generate(p.tokens(), opts, truncate, piece -> {
                String out = filter == null ? piece : filter.feed(piece);
                if (!out.isEmpty()) sink.text(out);
            }, gone);
        } catch (GenerationException e) {
            throw ApiException.badRequest(e.getMessage());
        } finally {
            lease.slot().constrain(null);
        }
        if (stats.doneReason() == DoneReason.CANCELLED) cancelled.incrementAndGet();
        List<ParsedToolCall> calls = List.of();
        if (filter != null) {
            ToolCallParser.Result r = filter.finish();
            if (!r.content().isEmpty()) sink.text(r.content());
            calls = r.calls();
            if (!calls.isEmpty()) sink.toolCalls(calls);
        }
        int[] gen = lease.slot().generatedTokens();
        int[] context = new int[p.tokens().length + gen.length];
        System.arraycopy(p.tokens(), 0, context, 0, p.tokens().length);
        System.arraycopy(gen, 0, context, p.tokens().length, gen.length);
        boolean formatOk = constraint == null || !constraint.failed();
        return new Outcome(stats, lease.loadNanos(), context, p.text(), calls, formatOk);
    }

    private static Set<String> toolNames(List<Tool> tools) {
        Set<String> names = new HashSet<>();
        for (Tool t : tools) if (t.function() != null && t.function().name() != null) names.add(t.function().name());
        return names;
    }

    /**
     * Embeds each input: the mean over its tokens of the last hidden state after the output norm. Inputs longer
     * than the context are cut to it when {@code truncate}, else rejected.
     */
    public Embeddings embed(ResolvedModel model, List<String> inputs, boolean truncate, Map<String, Object> options,
                            KeepAlive keepAlive, BooleanSupplier gone) {
        SamplingOptions opts = options(model, options);
        try (Lease lease = acquire(model, opts, keepAlive, gone)) {
            useAdapters(lease, null);
            LoadedModel lm = lease.model();
            InferenceContext ctx = lease.slot().context();
            int numCtx = lease.slot().generator().model().contextLength();
            int dim = lm.model().config().embeddingLength();
            float[] hidden = new float[dim];
            List<float[]> out = new ArrayList<>(inputs.size());
            int total = 0;
            try {
                for (String input : inputs) {
                    int[] tokens = lm.tokenizer().encode(input, true, true);
                    if (tokens.length > numCtx) {
                        if (!truncate) throw ApiException.badRequest("the input length exceeds the context length");
                        tokens = java.util.Arrays.copyOf(tokens, numCtx);
                    }
                    float[] sum = new float[dim];
                    ctx.reset();
                    for (int t : tokens) {
                        if (gone.getAsBoolean()) throw ApiException.cancelled();
                        ctx.step(t);
                        ctx.lastHidden(hidden, 0);
                        for (int i = 0; i < dim; i++) sum[i] += hidden[i];
                    }
                    if (tokens.length > 0) for (int i = 0; i < dim; i++) sum[i] /= tokens.length;
                    out.add(sum);
                    total += tokens.length;
                }
            } catch (io.mbllm.engine.model.ContextOverflowException e) {
                throw new ApiException(500, e.getMessage(), e);
            } finally {
                lease.slot().generator().reset();
            }
            return new Embeddings(out, total, lease.loadNanos());
        }
    }

    /**
     * Sets the slot's adapter scales for this request (the model's own when {@code scales} is null). The scales
     * belong to the leased slot only, so concurrent requests with different scales do not see each other's.
     */
    private static void useAdapters(Lease lease, float[] scales) {
        try {
            lease.slot().useAdapters(scales);
        } catch (ModelLoadException e) {
            throw new ApiException(500, "failed to load model " + lease.model().resolved().ref().display() + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private Lease acquire(ResolvedModel model, SamplingOptions opts, KeepAlive keepAlive, BooleanSupplier gone) {
        try {
            return scheduler.acquire(model, opts.numCtx(), keepAlive, gone);
        } catch (ServerBusyException e) {
            throw ApiException.busy();
        } catch (RequestCancelledException e) {
            throw ApiException.cancelled();
        } catch (GgufFormatException e) {
            throw new ApiException(500, "failed to load model " + model.ref().display() + ": " + e.getMessage(), e);
        } catch (IOException | ModelLoadException e) {
            throw new ApiException(500, "failed to load model " + model.ref().display() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
