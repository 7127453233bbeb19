package io.mbllm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.mbllm.engine.eval.Distribution;
import io.mbllm.engine.eval.Estimate;
import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.KlDivergence;
import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.eval.LogitsBaseFile;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.eval.PerplexityResult;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.TokenizerException;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm perplexity MODEL.gguf}: llama-perplexity's perplexity over a text file ({@code --text}), its
 * base-file writer ({@code --kl-divergence-base F}) and its KL-divergence mode ({@code --kl-divergence-base F
 * --kl-divergence}); results on stdout in llama-perplexity's format, a progress bar on stderr.
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a model over a text, and KL divergence against a saved base run (llama-perplexity's definitions).")
final class PerplexityCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The GGUF model.")
    Path modelFile;

    @Option(names = {"-f", "--text"}, paramLabel = "FILE", description = "UTF-8 text to score (one trailing newline is dropped).")
    Path textFile;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Tokens per chunk (default: ${DEFAULT-VALUE}).")
    int ctx = 512;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", description = "Most tokens per forward pass (default: min(ctx, 512)).")
    Integer batch;

    @Option(names = "--kl-divergence-base", paramLabel = "FILE",
            description = "Without --kl-divergence: also save the log-probabilities to FILE (llama.cpp's format). With it: the base to compare against.")
    Path baseFile;

    @Option(names = "--kl-divergence", description = "Compare the model against --kl-divergence-base (tokens and context come from that file).")
    boolean klDivergence;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @Mixin
    EngineOptions engine;

    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        try {
            if (klDivergence && baseFile == null) throw new EngineOptions.CliException(2, "--kl-divergence needs --kl-divergence-base FILE");
            if (!klDivergence && textFile == null) throw new EngineOptions.CliException(2, "give the text to score with --text FILE");
            if (batch != null && batch < 1) throw new EngineOptions.CliException(2, "--batch must be at least 1: " + batch);
            try (Parallel pool = engine.pool(); Model model = EngineOptions.openModel(modelFile)) {
                Tokenizer tokenizer = Tokenizers.fromGguf(((GgufModelSource) model.source()).file().metadata());
                int bos = Perplexity.chunkStartToken(tokenizer);
                if (klDivergence) {
                    runKld(model, pool, bos);
                } else {
                    runPerplexity(model, pool, tokenizer, bos);
                }
            }
            return 0;
        } catch (EngineOptions.CliException e) {
            err.println("mbllm perplexity: " + e.getMessage());
            return e.exitCode;
        } catch (EvalException | TokenizerException | IllegalArgumentException e) {
            err.println("mbllm perplexity: " + e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("mbllm perplexity: " + e.getFile() + ": no such file");
            return 1;
        } catch (CharacterCodingException e) {
            err.println("mbllm perplexity: " + textFile + ": not valid UTF-8");
            return 1;
        } catch (IOException e) {
            err.println("mbllm perplexity: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private InferenceContext context(Model model, Parallel pool, int n) throws EngineOptions.CliException {
        int b = batch != null ? Math.min(batch, n) : Math.min(n, 512);
        MatMul matMul = engine.kernels.create(pool);
        info("perplexity: " + EngineOptions.Kernels.label(matMul) + " kernels, " + engine.threads + " threads, batch " + b);
        return model.newContext(ContextOptions.of(n).withMaxBatch(b).withParallel(pool).withMatMul(matMul));
    }

    private void runPerplexity(Model model, Parallel pool, Tokenizer tokenizer, int bos)
            throws IOException, EvalException, EngineOptions.CliException {
        String text = Files.readString(textFile, StandardCharsets.UTF_8);
        int[] tokens = Perplexity.tokenizeText(tokenizer, text);
        Perplexity.Plan plan = Perplexity.plan(tokens.length, ctx);
        info("perplexity: " + tokens.length + " tokens; calculating perplexity over " + plan.chunks() + " chunks, n_ctx="
                + ctx + ", scoring " + plan.scoredPerChunk() + " positions per chunk, " + plan.tokensScored() + " in all");
        Progress progress = new Progress(plan.chunks());
        PerplexityResult r;
        try (InferenceContext ic = context(model, pool, ctx)) {
            if (baseFile != null) {
                info("perplexity: saving all logits to " + baseFile);
                try (LogitsBaseFile.Writer w = LogitsBaseFile.create(baseFile,
                        new LogitsBaseFile.Header(ctx, model.config().vocabSize(), plan.chunks()), tokens)) {
                    r = Perplexity.compute(ic, tokens, ctx, bos, w, (k, n, ppl) -> chunk(progress, k, ppl));
                    w.finish();
                }
            } else {
                r = Perplexity.compute(ic, tokens, ctx, bos, null, (k, n, ppl) -> chunk(progress, k, ppl));
            }
        }
        progress.done();
        // the running values as llama-perplexity prints them; printed at the end so that the live progress
        // bar (stderr) never overwrites them on a terminal
        StringBuilder line = new StringBuilder();
        double[] running = r.runningPpl();
        for (int k = 0; k < running.length; k++) line.append(String.format(Locale.ROOT, "[%d]%.4f,", k + 1, running[k]));
        out.println(line);
        if (Double.isNaN(r.pplError())) {
            out.println(String.format(Locale.ROOT, "Final estimate: PPL = %.4f (no spread: the NLL variance is not positive)", r.ppl()));
        } else {
            out.println(String.format(Locale.ROOT, "Final estimate: PPL = %.4f +/- %.5f", r.ppl(), r.pplError()));
        }
    }

    private void chunk(Progress progress, int k, double ppl) {
        progress.show(k, String.format(Locale.ROOT, ", PPL %.4f", ppl));
    }

    private void runKld(Model model, Parallel pool, int bos) throws IOException, EvalException, EngineOptions.CliException {
        if (textFile != null) info("kl_divergence: --text ignored: the tokens come from " + baseFile);
        try (LogitsBaseFile.Reader base = LogitsBaseFile.open(baseFile)) {
            LogitsBaseFile.Header h = base.header();
            if (spec.commandLine().getParseResult().hasMatchedOption("--ctx") && ctx != h.contextLength()) {
                info("kl_divergence: using n_ctx=" + h.contextLength() + " from " + baseFile + " (not " + ctx + ")");
            }
            info("kl_divergence: computing over " + h.chunks() + " chunks, n_ctx=" + h.contextLength());
            Progress progress = new Progress(h.chunks());
            KldResult r;
            try (InferenceContext ic = context(model, pool, h.contextLength())) {
                out.println("chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              Δp RMS            Same top p");
                r = KlDivergence.compute(ic, base, bos, (k, n, run) -> {
                    progress.clear();
                    out.println(String.format(Locale.ROOT, "%4d    %9.4f ± %9.4f    %10.5f ± %10.5f    %10.5f ± %10.5f    %6.3f ± %6.3f %%    %6.3f ± %6.3f %%",
                            k, run.ppl().value(), run.ppl().error(), run.lnPplRatio().value(), run.lnPplRatio().error(),
                            run.kld().value(), run.kld().error(), 100 * run.deltaPRms().value(), 100 * run.deltaPRms().error(),
                            100 * run.sameTop().value(), 100 * run.sameTop().error()));
                    out.flush();
                    progress.show(k, "");
                });
            }
            progress.done();
            out.println();
            if (r.count() < 100) {
                info("kl_divergence: only " + r.count() + " positions: no statistics below 100 (as llama-perplexity)");
                return;
            }
            printStatistics(r);
        }
    }

    private void printStatistics(KldResult r) {
        out.println("====== Perplexity statistics ======");
        line("Mean PPL(Q)                   : %10.6f ± %10.6f", r.pplQ());
        line("Mean PPL(base)                : %10.6f ± %10.6f", r.pplBase());
        out.println(String.format(Locale.ROOT, "Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%", 100 * r.corLnPpl()));
        line("Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f", r.lnPplRatio());
        line("Mean PPL(Q)/PPL(base)         : %10.6f ± %10.6f", r.pplRatio());
        line("Mean PPL(Q)-PPL(base)         : %10.6f ± %10.6f", r.pplDiff());
        out.println();
        out.println("====== KL divergence statistics ======");
        line("Mean    KLD: %10.6f ± %10.6f", r.kld());
        Distribution k = r.kldValues();
        String f = "%10.6f";
        out.println(String.format(Locale.ROOT, "Maximum KLD: " + f, k.max()));
        out.println(String.format(Locale.ROOT, "99.9%%   KLD: " + f, k.p99_9()));
        out.println(String.format(Locale.ROOT, "99.0%%   KLD: " + f, k.p99()));
        out.println(String.format(Locale.ROOT, "95.0%%   KLD: " + f, k.p95()));
        out.println(String.format(Locale.ROOT, "90.0%%   KLD: " + f, k.p90()));
        out.println(String.format(Locale.ROOT, "Median  KLD: " + f, k.median()));
        out.println(String.format(Locale.ROOT, "10.0%%   KLD: " + f, k.p10()));
        out.println(String.format(Locale.ROOT, " 5.0%%   KLD: " + f, k.p5()));
        out.println(String.format(Locale.ROOT, " 1.0%%   KLD: " + f, k.p1()));
        out.println(String.format(Locale.ROOT, " 0.1%%   KLD: " + f, k.p0_1()));
        out.println(String.format(Locale.ROOT, "Minimum KLD: " + f, k.min()));
        out.println();
        out.println("====== Token probability statistics ======");
        out.println(String.format(Locale.ROOT, "Mean    Δp: %6.3f ± %5.3f %%", 100 * r.deltaP().value(), 100 * r.deltaP().error()));
        Distribution d = r.deltaPValues();
        String g = "%6.3f%%";
        out.println(String.format(Locale.ROOT, "Maximum Δp: " + g, 100 * d.max()));
        out.println(String.format(Locale.ROOT, "99.9%%   Δp: " + g, 100 * d.p99_9()));
        out.println(String.format(Locale.ROOT, "99.0%%   Δp: " + g, 100 * d.p99()));
        out.println(String.format(Locale.ROOT, "95.0%%   Δp: " + g, 100 * d.p95()));
        out.println(String.format(Locale.ROOT, "90.0%%   Δp: " + g, 100 * d.p90()));
        out.println(String.format(Locale.ROOT, "75.0%%   Δp: " + g, 100 * d.p75()));
        out.println(String.format(Locale.ROOT, "Median  Δp: " + g, 100 * d.median()));
        out.println(String.format(Locale.ROOT, "25.0%%   Δp: " + g, 100 * d.p25()));
        out.println(String.format(Locale.ROOT, "10.0%%   Δp: " + g, 100 * d.p10()));
        out.println(String.format(Locale.ROOT, " 5.0%%   Δp: " + g, 100 * d.p5()));
        out.println(String.format(Locale.ROOT, " 1.0%%   Δp: " + g, 100 * d.p1()));
        out.println(String.format(Locale.ROOT, " 0.1%%   Δp: " + g, 100 * d.p0_1()));
        out.println(String.format(Locale.ROOT, "Minimum Δp: " + g, 100 * d.min()));
        out.println(String.format(Locale.ROOT, "RMS Δp    : %6.3f ± %5.3f %%", 100 * r.deltaPRms().value(), 100 * r.deltaPRms().error()));
        out.println(String.format(Locale.ROOT, "Same top p: %6.3f ± %5.3f %%", 100 * r.sameTop().value(), 100 * r.sameTop().error()));
    }

    private void line(String format, Estimate e) {
        out.println(String.format(Locale.ROOT, format, e.value(), e.error()));
    }

    private void info(String message) {
        err.println(message);
        err.flush();
    }

    /** A one-line progress bar on stderr, redrawn in place after each chunk. */
    private final class Progress {
        private static final int WIDTH = 30;
        private final int total;
        private final long start = System.nanoTime();
        private boolean drawn;

        Progress(int total) {
            this.total = total;
        }

        void show(int done, String extra) {
            if (noProgress) return;
            int filled = (int) ((long) WIDTH * done / total);
            double secs = (System.nanoTime() - start) / 1e9;
            err.print(String.format(Locale.ROOT, "\r[%s%s] %d/%d chunks, %.1f s%s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                    done, total, secs, extra));
            err.flush();
            drawn = true;
        }

        void clear() {
            if (drawn) {
                err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
                err.flush();
            }
        }

        void done() {
            if (drawn) {
                err.println();
                err.flush();
                drawn = false;
            }
        }
    }
}
