package io.mbllm.engine.eval;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.TensorInfo;

/**
 * Throughput tests with llama-bench's definitions (tools/llama-bench): a prompt-processing test {@code ppP}
 * evaluates P tokens (BOS first when the vocabulary adds it, then random ids) from an empty cache; a generation
 * test {@code tgN} evaluates N single tokens one after another (BOS first, then random ids). The two tests run
 * separately; each first does one warm-up (the whole prompt, or one generated token), then every repetition
 * starts from a cleared cache. A repetition's rate is {@code tokens / seconds}; the report is the mean and the
 * sample standard deviation over repetitions.
 */
public final class Benchmark {
    private Benchmark() {}

    /**
     * What to run.
     *
     * @param promptTokens P for {@code ppP}; 0 skips the test
     * @param genTokens    N for {@code tgN}; 0 skips the test
     * @param repetitions  timed runs of each test
     * @param warmup       run each test once untimed first
     * @param seed         seed of the random token ids
     * @param depth        tokens cached before each run of a test, not timed (llama-bench's {@code -d}): the speed at
     *                     that context depth
     */
    public record Spec(int promptTokens, int genTokens, int repetitions, boolean warmup, long seed, int depth) {
        public Spec {
            if (promptTokens < 0 || genTokens < 0) throw new IllegalArgumentException("token counts must be >= 0");
            if (depth < 0) throw new IllegalArgumentException("depth must be >= 0: " + depth);
            if (promptTokens == 0 && genTokens == 0) throw new IllegalArgumentException("nothing to run: -p and -n are both 0");
            if (repetitions < 1) throw new IllegalArgumentException("repetitions must be >= 1: " + repetitions);
        }

        /** Tests from an empty cache. */
        public Spec(int promptTokens, int genTokens, int repetitions, boolean warmup, long seed) {
            this(promptTokens, genTokens, repetitions, warmup, seed, 0);
        }

        /** Positions the context needs: the depth and the larger of the two tests. */
        public int contextLength() {
            return Math.max(1, Math.addExact(depth, Math.max(promptTokens, genTokens)));
        }
    }

    /**
     * One test's timings.
     *
     * @param promptTokens P (0 for a generation test)
     * @param genTokens    N (0 for a prompt test)
     * @param samplesNs    wall time of each repetition
     * @param depth        tokens cached before each repetition
     */
    public record Result(int promptTokens, int genTokens, long[] samplesNs, int depth) {
        /** A result from an empty cache. */
        public Result(int promptTokens, int genTokens, long[] samplesNs) {
            this(promptTokens, genTokens, samplesNs, 0);
        }

        @Override
        public long[] samplesNs() {
            return samplesNs.clone();
        }

        /** {@code ppP} or {@code tgN}, with {@code " @ dD"} at a depth, as llama-bench names it. */
        public String name() {
            return (promptTokens > 0 ? "pp" + promptTokens : "tg" + genTokens) + (depth > 0 ? " @ d" + depth : "");
        }

        /** Tokens per second of each repetition: {@code 1e9 · tokens / ns}. */
        public double[] tokensPerSecond() {
            double[] ts = new double[samplesNs.length];
            for (int i = 0; i < ts.length; i++) ts[i] = 1e9 * (promptTokens + genTokens) / samplesNs[i];
            return ts;
        }

        /** Mean tokens per second ± sample standard deviation (0 with one repetition). */
        public Estimate rate() {
            return meanAndSd(tokensPerSecond());
        }
    }

    /** Mean and sample standard deviation, computed as llama-bench does ({@code avg}, {@code stdev}). */
    public static Estimate meanAndSd(double[] v) {
        if (v.length == 0) return new Estimate(0, 0);
        double sum = 0, sq = 0;
        for (double x : v) {
            sum += x;
            sq += x * x;
        }
        double mean = sum / v.length;
        if (v.length == 1) return new Estimate(mean, 0);
        int n = v.length;
        double var = sq / (n - 1) - mean * mean * n / (n - 1);
        return new Estimate(mean, Math.sqrt(Math.max(0, var)));
    }

    /**
     * The model columns of llama-bench's table.
     *
     * @param description architecture and weight type, e.g. {@code llama all F32} or {@code llama Q4_K (mostly)}
     * @param sizeBytes   bytes of tensor data
     * @param params      number of weights
     */
    public record ModelInfo(String description, long sizeBytes, long params) {}

    /** Describes a model opened from a GGUF file (size and parameter count summed over its tensors). */
    public static ModelInfo describe(Model model) {
        String arch = model.config().architecture().ggufName();
        if (!(model.source() instanceof GgufModelSource g)) return new ModelInfo(arch, -1, -1);
        long size = 0, params = 0;
        Map<GgmlType, Long> bytesByType = new EnumMap<>(GgmlType.class);
        for (TensorInfo t : g.file().tensors()) {
            size += t.byteSize();
            params += t.elementCount();
            if (t.nDims() >= 2) bytesByType.merge(t.type(), t.byteSize(), Long::sum);
        }
        String types;
        if (bytesByType.size() == 1) {
            types = "all " + bytesByType.keySet().iterator().next().name();
        } else {
            GgmlType top = bytesByType.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
            types = top == null ? "?" : top.name() + " (mostly)";
        }
        return new ModelInfo(arch + " " + types, size, params);
    }

    /** Progress messages (e.g. "pp64: warm-up"). */
    @FunctionalInterface
    public interface Listener {
        void progress(String message);
    }

    /**
     * Runs the tests of {@code spec} on {@code ctx} (which needs {@link Spec#contextLength()} positions).
     *
     * @param bos the first token of each test (BOS when the vocabulary adds it), or -1 for a random one
     */
    public static List<Result> run(InferenceContext ctx, Spec spec, int bos, Listener listener) throws EvalException {
        if (ctx.contextLength() < spec.contextLength()) {
            throw new EvalException("the context holds " + ctx.contextLength() + " positions, the tests need " + spec.contextLength());
        }
        int nVocab = ctx.model().config().vocabSize();
        SplittableRandom rnd = new SplittableRandom(spec.seed());
        Listener log = listener != null ? listener : m -> {};
        List<Result> out = new ArrayList<>();
        // the BOS (when given) starts the cached tokens, else each test, as before depths existed
        int[] cached = spec.depth() > 0 ? randomTokens(rnd, spec.depth(), nVocab, bos) : new int[0];
        int first = spec.depth() > 0 ? -1 : bos;
        String at = spec.depth() > 0 ? " @ d" + spec.depth() : "";
        try {
            if (spec.promptTokens() > 0) {
                int[] tokens = randomTokens(rnd, spec.promptTokens(), nVocab, first);
                String name = "pp" + spec.promptTokens() + at;
                if (spec.warmup()) {
                    log.progress(name + ": warm-up");
                    prefill(ctx, cached);
                    ctx.evaluate(tokens);
                }
                long[] ns = new long[spec.repetitions()];
                for (int r = 0; r < ns.length; r++) {
                    log.progress(name + ": run " + (r + 1) + "/" + ns.length);
                    prefill(ctx, cached);
                    long t0 = System.nanoTime();
                    ctx.evaluate(tokens);
                    ns[r] = System.nanoTime() - t0;
                }
                out.add(new Result(spec.promptTokens(), 0, ns, spec.depth()));
            }
            if (spec.genTokens() > 0) {
                int[] tokens = randomTokens(rnd, spec.genTokens(), nVocab, first);
                String name = "tg" + spec.genTokens() + at;
                if (spec.warmup()) {
                    log.progress(name + ": warm-up");
                    prefill(ctx, cached);
                    ctx.step(tokens[0]);
                }
                long[] ns = new long[spec.repetitions()];
                for (int r = 0; r < ns.length; r++) {
                    log.progress(name + ": run " + (r + 1) + "/" + ns.length);
                    prefill(ctx, cached);
                    long t0 = System.nanoTime();
                    for (int token : tokens) ctx.step(token);
                    ns[r] = System.nanoTime() - t0;
                }
                out.add(new Result(0, spec.genTokens(), ns, spec.depth()));
            }
        } catch (ContextOverflowException e) {
            throw new IllegalStateException("test does not fit the checked context", e);
        }
        return out;
    }

    /** Clears the cache, then fills it with {@code cached} (the depth; nothing for depth 0). */
    private static void prefill(InferenceContext ctx, int[] cached) throws ContextOverflowException {
        ctx.reset();
        if (cached.length > 0) ctx.evaluate(cached);
    }

    /** {@code n} ids: {@code first} (when &gt;= 0) then uniform random ids. */
    static int[] randomTokens(SplittableRandom rnd, int n, int nVocab, int first) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rnd.nextInt(nVocab);
        if (first >= 0) t[0] = first;
        return t;
    }
}
