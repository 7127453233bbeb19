package io.mbllm.engine.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.KlDivergence;
import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.eval.LogitsBaseFile;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.eval.PerplexityResult;
import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.tokenizer.Tokenizer;

/**
 * Runs a comparison. The reference goes first: its greedy answers are generated, then each prompt + answer is
 * teacher-forced through it and the log-probabilities of every answer position are kept (llama-perplexity's
 * 16-bit base records, {@link LogitsBaseFile#encode}); with a text, its perplexity run writes a KL-divergence
 * base file. Then each other variant, loaded alone: its own greedy answers (speed, and where they part from the
 * reference's), the reference's prompt + answer teacher-forced through it and compared position by position
 * with {@link KlDivergence.Accumulator}, and the text through {@link KlDivergence#compute} (its PPL(Q) is the
 * variant's perplexity). The answer positions and the text positions are pooled into one KLD mean, p99 and top-1
 * agreement.
 */
public final class Comparison {
    private Comparison() {}

    /** The phases reported through {@link CompareListener#progress}. */
    static final String GENERATING = "generating", SCORING = "scoring", TEXT = "text";

    /**
     * The reference when none is named: the variant with the most bits per weight (F32, then F16/BF16, then the
     * largest quantization); the first given wins a tie.
     */
    public static Variant pickReference(List<Variant> variants) throws CompareException {
        if (variants.isEmpty()) throw new CompareException("no model to compare");
        Variant best = null;
        double bpw = -1;
        for (Variant v : variants) {
            double b = VariantFacts.probe(v.file()).bitsPerWeight();
            if (b > bpw) {
                bpw = b;
                best = v;
            }
        }
        return best;
    }

    /**
     * Compares {@code variants} against {@code reference}.
     *
     * @param variants  the variants, in the order to report them (the reference may be one of them)
     * @param reference the reference, or null to {@linkplain #pickReference pick} one among the variants
     * @param cancelled polled between steps; true ends the run with a {@link CancellationException}
     * @throws CompareException when a variant cannot be loaded, does not share the reference's vocabulary, or a
     *                          prompt or the text does not fit
     */
    public static ComparisonResult run(List<Variant> variants, Variant reference, CompareSpec spec, VariantLoader loader,
                                       CompareListener listener, BooleanSupplier cancelled) throws CompareException {
        if (variants.isEmpty()) throw new CompareException("no model to compare");
        Variant ref = reference != null ? reference : pickReference(variants);
        List<Variant> order = new ArrayList<>();
        order.add(ref);
        for (Variant v : variants) {
            if (!v.name().equals(ref.name())) order.add(v);
        }
        Path tmp = null;
        try {
            if (spec.text() != null) tmp = Files.createTempDirectory("mbllm-compare");
            Reference base = runReference(ref, spec, loader, listener, cancelled, tmp);
            List<VariantResult> results = new ArrayList<>();
            results.add(base.result);
            listener.result(base.result);
            for (Variant v : order.subList(1, order.size())) {
                VariantResult r = runVariant(v, base, spec, loader, listener, cancelled);
                results.add(r);
                listener.result(r);
            }
            return new ComparisonResult(ref.name(), spec.prompts(), results);
        } catch (IOException e) {
            throw new CompareException("cannot write the text's base file: " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** What the variants are compared with. */
    private record Reference(VariantResult result, int vocabSize, int numCtx, int[][] sequences, int[] promptLengths,
                             short[][] records, Path baseFile) {}

    private static Reference runReference(Variant ref, CompareSpec spec, VariantLoader loader, CompareListener listener,
                                          BooleanSupplier cancelled, Path tmp) throws CompareException, IOException {
        VariantFacts facts = VariantFacts.probe(ref.file());
        listener.loading(ref.name());
        try (LoadedVariant lv = loader.open(ref, spec.numCtx())) {
            InferenceContext ctx = lv.context();
            Tokenizer tok = lv.tokenizer();
            int nCtx = contextLength(lv, spec);
            int nVocab = lv.model().config().vocabSize();
            int rv = LogitsBaseFile.recordValues(nVocab);
            int nPrompts = spec.prompts().size();
            int[] textTokens = spec.text() == null ? null : Perplexity.tokenizeText(tok, spec.text());
            int textCtx = textTokens == null ? 0 : textContext(textTokens.length, nCtx);
            int textChunks = textTokens == null ? 0 : textTokens.length / textCtx;
            Progress progress = new Progress(listener, ref.name(), 2 * nPrompts + textChunks);

            Answers answers = answer(lv, nCtx, spec, progress, cancelled);
            int[][] sequences = new int[nPrompts][];
            int[] promptLengths = new int[nPrompts];
            short[][] records = new short[nPrompts][];
            for (int i = 0; i < nPrompts; i++) {
                GreedyAnswer a = answers.list.get(i);
                int[] seq = concat(a.prompt(), a.tokens());
                short[] recs = new short[a.tokens().length * rv];
                teacherForce(ctx, seq, a.prompt().length, nVocab, cancelled,
                        (k, z, off, target) -> LogitsBaseFile.encode(z, off, nVocab, target, recs, k * rv));
                sequences[i] = seq;
                promptLengths[i] = a.prompt().length;
                records[i] = recs;
                progress.step(SCORING);
            }
            Double ppl = null;
            Path baseFile = null;
            if (textTokens != null) {
                baseFile = tmp.resolve("reference.kld");
                int bos = Perplexity.chunkStartToken(tok);
                Perplexity.Plan plan = Perplexity.plan(textTokens.length, textCtx);
                PerplexityResult pr;
                try (LogitsBaseFile.Writer w = LogitsBaseFile.create(baseFile,
                        new LogitsBaseFile.Header(textCtx, nVocab, plan.chunks()), textTokens)) {
                    pr = Perplexity.compute(ctx, textTokens, textCtx, bos, w, (k, n, running) -> {
                        checkCancelled(cancelled);
                        progress.step(TEXT);
                    });
                    w.finish();
                }
                ppl = pr.ppl();
            }
            int positions = 0;
            for (GreedyAnswer a : answers.list) positions += a.tokens().length;
            if (textTokens != null) positions += textChunks * LogitsBaseFile.scoredPerChunk(textCtx);
            List<Integer> same = new ArrayList<>();
            for (int i = 0; i < nPrompts; i++) same.add(null);
            boolean any = positions > 0;
            VariantResult result = new VariantResult(ref.name(), true, facts.fileBytes(), facts.bitsPerWeight(),
                    lv.loadNanos() / 1e6, answers.promptTps(), answers.genTps(), any ? 0.0 : null, any ? 0.0 : null,
                    any ? 1.0 : null, positions, ppl, null, same, answers.texts());
            return new Reference(result, nVocab, nCtx, sequences, promptLengths, records, baseFile);
        } catch (EvalException e) {
            throw new CompareException(ref.name() + ": " + e.getMessage(), e);
        }
    }

    private static VariantResult runVariant(Variant v, Reference ref, CompareSpec spec, VariantLoader loader,
                                            CompareListener listener, BooleanSupplier cancelled) throws CompareException {
        VariantFacts facts = VariantFacts.probe(v.file());
        checkCancelled(cancelled);
        listener.loading(v.name());
        try (LoadedVariant lv = loader.open(v, spec.numCtx())) {
            InferenceContext ctx = lv.context();
            int nVocab = lv.model().config().vocabSize();
            if (nVocab != ref.vocabSize()) {
                throw new CompareException(v.name() + " has a vocabulary of " + nVocab + " tokens, the reference "
                        + ref.vocabSize() + ": only variants of one model can be compared");
            }
            int nCtx = Math.min(contextLength(lv, spec), ref.numCtx());
            int nPrompts = spec.prompts().size();
            LogitsBaseFile.Reader base = ref.baseFile() == null ? null : LogitsBaseFile.open(ref.baseFile());
            try {
                int textChunks = base == null ? 0 : base.header().chunks();
                Progress progress = new Progress(listener, v.name(), 2 * nPrompts + textChunks);
                Answers answers = answer(lv, nCtx, spec, progress, cancelled);
                List<Integer> diverges = new ArrayList<>();
                Integer first = null;
                for (int i = 0; i < nPrompts; i++) {
                    int[] refSeq = ref.sequences()[i];
                    int p = ref.promptLengths()[i];
                    int[] refAnswer = java.util.Arrays.copyOfRange(refSeq, p, refSeq.length);
                    int d = GreedyAnswer.firstDifference(refAnswer, answers.list.get(i).tokens());
                    diverges.add(d < 0 ? null : d);
                    if (d >= 0 && (first == null || d < first)) first = d;
                }
                int answerPositions = 0;
                for (int i = 0; i < nPrompts; i++) answerPositions += ref.sequences()[i].length - ref.promptLengths()[i];
                KlDivergence.Accumulator onAnswers = new KlDivergence.Accumulator(Math.max(1, answerPositions));
                int rv = LogitsBaseFile.recordValues(nVocab);
                for (int i = 0; i < nPrompts; i++) {
                    short[] recs = ref.records()[i];
                    int[] seq = ref.sequences()[i];
                    if (seq.length - 1 > nCtx) {
                        throw new CompareException(v.name() + ": the reference's answer to prompt " + (i + 1)
                                + " does not fit its context of " + nCtx + " tokens");
                    }
                    teacherForce(ctx, seq, ref.promptLengths()[i], nVocab, cancelled,
                            (k, z, off, target) -> onAnswers.add(z, off, nVocab, recs, k * rv, target));
                    progress.step(SCORING);
                }
                Double ppl = null;
                KlDivergence.Accumulator all = onAnswers;
                if (base != null) {
                    LogitsBaseFile.Header h = base.header();
                    KlDivergence.Accumulator onText = new KlDivergence.Accumulator(h.scoredPerChunk() * h.chunks());
                    int bos = Perplexity.chunkStartToken(lv.tokenizer());
                    KldResult text = KlDivergence.compute(ctx, base, bos, onText, (k, n, running) -> {
                        checkCancelled(cancelled);
                        progress.step(TEXT);
                    });
                    ppl = text.pplQ().value();
                    all = new KlDivergence.Accumulator(onAnswers.count() + onText.count());
                    all.addAll(onAnswers);
                    all.addAll(onText);
                }
                Double kld = null, p99 = null, top1 = null;
                int positions = all.count();
                if (positions > 0) {
                    KldResult r = all.result();
                    kld = r.kld().value();
                    p99 = r.kldValues().p99();
                    top1 = r.sameTop().value();
                }
                return new VariantResult(v.name(), false, facts.fileBytes(), facts.bitsPerWeight(), lv.loadNanos() / 1e6,
                        answers.promptTps(), answers.genTps(), kld, p99, top1, positions, ppl, first, diverges,
                        answers.texts());
            } finally {
                if (base != null) base.close();
            }
        } catch (EvalException e) {
            throw new CompareException(v.name() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CompareException(v.name() + ": cannot read the reference's base file: " + e.getMessage(), e);
        }
    }

    /** The greedy answers of one variant, with their summed timings. */
    private record Answers(List<GreedyAnswer> list) {
        double promptTps() {
            long tokens = 0, ns = 0;
            for (GreedyAnswer a : list) {
                tokens += a.prompt().length;
                ns += a.promptNanos();
            }
            return ns <= 0 ? 0 : tokens * 1e9 / ns;
        }

        double genTps() {
            long tokens = 0, ns = 0;
            for (GreedyAnswer a : list) {
                tokens += a.tokens().length;
                ns += a.genNanos();
            }
            return ns <= 0 ? 0 : tokens * 1e9 / ns;
        }

        List<String> texts() {
            return list.stream().map(GreedyAnswer::text).toList();
        }
    }

    private static Answers answer(LoadedVariant lv, int nCtx, CompareSpec spec, Progress progress, BooleanSupplier cancelled)
            throws CompareException {
        List<GreedyAnswer> out = new ArrayList<>();
        int i = 0;
        boolean warm = false;
        for (String prompt : spec.prompts()) {
            i++;
            int[] tokens = lv.tokenizer().encode(prompt, true, false);
            if (tokens.length == 0) throw new CompareException("prompt " + i + " has no tokens");
            if (tokens.length >= nCtx) {
                throw new CompareException("prompt " + i + " has " + tokens.length + " tokens; the context holds " + nCtx
                        + ": raise num_ctx or shorten the prompt");
            }
            int limit = Math.min(spec.numPredict(), nCtx - tokens.length + 1);
            try {
                if (!warm) { // untimed: pages the weights in and warms the code, so that the rates compare fairly
                    GreedyAnswer.generate(lv.context(), lv.tokenizer(), tokens, Math.min(2, limit), cancelled);
                    warm = true;
                }
                out.add(GreedyAnswer.generate(lv.context(), lv.tokenizer(), tokens, limit, cancelled));
            } catch (ContextOverflowException e) {
                throw new IllegalStateException("answer does not fit the checked context", e);
            }
            progress.step(GENERATING);
        }
        return new Answers(out);
    }

    /** Receives the logits at one teacher-forced position. */
    @FunctionalInterface
    private interface PositionSink {
        void accept(int index, float[] logits, int off, int target);
    }

    /**
     * Evaluates {@code seq} from an empty cache and hands out the logits after each of the positions
     * {@code promptLength − 1 … seq.length − 2}, with the next token as target: the distributions the answer
     * tokens were chosen from.
     */
    private static void teacherForce(InferenceContext ctx, int[] seq, int promptLength, int nVocab, BooleanSupplier cancelled,
                                     PositionSink sink) throws CompareException {
        int from = promptLength - 1, count = seq.length - promptLength;
        if (count < 1) return;
        int slice = Math.max(1, Math.min(ctx.maxBatch(), (1 << 22) / nVocab));
        float[] buf = new float[slice * nVocab];
        ctx.reset();
        try {
            if (from > 0) ctx.evaluate(seq, 0, from);
            for (int done = 0; done < count; done += slice) {
                checkCancelled(cancelled);
                int n = Math.min(slice, count - done);
                ctx.evaluateAll(seq, from + done, n, buf);
                for (int t = 0; t < n; t++) sink.accept(done + t, buf, t * nVocab, seq[from + done + t + 1]);
            }
        } catch (ContextOverflowException e) {
            throw new CompareException("a prompt and its answer do not fit the context: " + e.getMessage(), e);
        }
    }

    /** The context used: the requested one, capped by what the loader gave (the model's trained context). */
    private static int contextLength(LoadedVariant lv, CompareSpec spec) {
        int n = Math.min(spec.numCtx(), lv.context().contextLength());
        int trained = lv.model().config().contextLength();
        return trained > 0 ? Math.min(n, trained) : n;
    }

    /**
     * The chunk size for the text: num_ctx, or less so that the text fills the two chunks llama-perplexity needs
     * at least.
     */
    static int textContext(int tokens, int nCtx) throws CompareException {
        int c = Math.min(nCtx, tokens / 2);
        if (c < 8) throw new CompareException("the text has only " + tokens + " tokens: at least 16 are needed to score it");
        return c;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void checkCancelled(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) throw new CancellationException("comparison cancelled");
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temporary file is not worth failing the comparison for
        }
    }

    /** Counts a variant's steps for the listener. */
    private static final class Progress {
        private final CompareListener listener;
        private final String model;
        private final int total;
        private int done;

        Progress(CompareListener listener, String model, int total) {
            this.listener = listener;
            this.model = model;
            this.total = total;
            listener.progress(model, GENERATING, 0, total);
        }

        void step(String phase) {
            listener.progress(model, phase, ++done, total);
        }
    }
}
