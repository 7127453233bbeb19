package io.mbllm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import io.mbllm.engine.eval.Benchmark;
import io.mbllm.engine.eval.Estimate;
import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.eval.ProcessMemory;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
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
 * {@code mbllm bench FILE.gguf}: prompt-processing ({@code ppP}) and generation ({@code tgN}) rates in tokens
 * per second, mean ± sample standard deviation over repetitions, in llama-bench's table shape, plus the peak
 * resident memory of the process ({@code VmHWM}). {@code --json} prints the same as one JSON object.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt-processing and generation speed (llama-bench's tests).")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF model.")
    Path file;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "P", description = "Prompt tokens of the pp test, 0 to skip (default: ${DEFAULT-VALUE}).")
    int prompt = 64;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", description = "Generated tokens of the tg test, 0 to skip (default: ${DEFAULT-VALUE}).")
    int gen = 32;

    @Option(names = {"-d", "--n-depth"}, paramLabel = "D", description = "Tokens cached before each run of a test, not timed "
            + "(llama-bench's -d): the speed at that context depth; tests are then named as llama-bench's, e.g. tg32 @ d1024 "
            + "(default: ${DEFAULT-VALUE}).")
    int depth = 0;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "R", description = "Timed repetitions of each test (default: ${DEFAULT-VALUE}).")
    int reps = 3;

    @Option(names = "--no-warmup", description = "Skip the untimed warm-up run of each test.")
    boolean noWarmup;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the random token ids (default: ${DEFAULT-VALUE}).")
    long seed = 1234;

    @Option(names = "--no-repack", description = {"Read the weights in place from the mapped file, in their plain layout "
            + "(as llama-bench --no-repack). By default the native kernels copy them at the first use: Q4_0, Q8_0 and Q4_K "
            + "into row-interleaved layouts, the other types as they are, both into huge pages."})
    boolean noRepack;

    @Mixin
    EngineOptions engine;

    /** The kernels that ran (what {@code --kernels} resolved to). */
    private String kernelsLabel;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Benchmark.Spec bench;
            try {
                bench = new Benchmark.Spec(prompt, gen, reps, !noWarmup, seed, depth);
            } catch (IllegalArgumentException e) {
                throw new EngineOptions.CliException(2, e.getMessage());
            }
            try (Parallel pool = engine.pool(); Model model = EngineOptions.openModel(file)) {
                int bos = Perplexity.chunkStartToken(Tokenizers.fromGguf(((GgufModelSource) model.source()).file().metadata()));
                List<Benchmark.Result> results;
                // read by the native kernels at each matrix's first use (restored below: tests run commands in-process)
                String repack = noRepack ? System.setProperty("mbllm.repack", "false") : null;
                MatMul matMul = engine.kernels.create(pool);
                kernelsLabel = EngineOptions.Kernels.label(matMul) + (noRepack ? " (no repack)" : "");
                try (InferenceContext ctx = model.newContext(ContextOptions.of(bench.contextLength())
                        .withMaxBatch(Math.min(512, bench.contextLength())).withParallel(pool).withMatMul(matMul))) {
                    results = Benchmark.run(ctx, bench, bos, m -> {
                        err.println("mbllm bench: " + m);
                        err.flush();
                    });
                } finally {
                    if (noRepack) {
                        if (repack == null) System.clearProperty("mbllm.repack");
                        else System.setProperty("mbllm.repack", repack);
                    }
                }
                Benchmark.ModelInfo info = Benchmark.describe(model);
                OptionalLong rss = ProcessMemory.peakResidentBytes();
                if (json) {
                    printJson(out, info, results, rss);
                } else {
                    printTable(out, info, results, rss);
                }
                out.flush();
                return 0;
            }
        } catch (EngineOptions.CliException e) {
            err.println("mbllm bench: " + e.getMessage());
            return e.exitCode;
        } catch (EvalException | TokenizerException | IllegalArgumentException e) {
            err.println("mbllm bench: " + file + ": " + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }

    /** Columns of llama-bench's markdown table: width, negative for left-aligned. */
    private static final String[] HEADS = {"model", "size", "params", "kernels", "threads", "test", "t/s"};
    private static final int[] WIDTHS = {-30, 10, 10, -10, 7, 15, 20};

    private void printTable(PrintWriter out, Benchmark.ModelInfo info, List<Benchmark.Result> results, OptionalLong rss) {
        out.println(row(HEADS));
        StringBuilder sep = new StringBuilder("|");
        for (int w : WIDTHS) sep.append(' ').append("-".repeat(Math.abs(w) - 1)).append(w > 0 ? ':' : '-').append(" |");
        out.println(sep);
        for (Benchmark.Result r : results) {
            Estimate rate = r.rate();
            out.println(row(new String[] {info.description(), mib(info.sizeBytes()), millions(info.params()),
                    kernelsLabel, Integer.toString(engine.threads), r.name(),
                    String.format(Locale.ROOT, "%.2f ± %.2f", rate.value(), rate.error())}));
        }
        out.println();
        out.println("peak RSS: " + (rss.isPresent() ? HumanSize.format(rss.getAsLong()) + " (VmHWM)" : "unknown (no /proc/self/status)"));
    }

    private static String row(String[] cells) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            int w = WIDTHS[i];
            b.append(' ').append(String.format(Locale.ROOT, "%" + (w < 0 ? "-" : "") + Math.abs(w) + "s", cells[i])).append(" |");
        }
        return b.toString();
    }

    /** llama-bench's size column: MiB below 1 GiB, else GiB, two decimals. */
    static String mib(long bytes) {
        if (bytes < 0) return "?";
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.2f MiB", bytes / 1024.0 / 1024.0);
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 1024.0 / 1024.0 / 1024.0);
    }

    /** llama-bench's params column: millions below a billion, else billions. */
    static String millions(long params) {
        if (params < 0) return "?";
        if (params < 1_000_000_000L) return String.format(Locale.ROOT, "%.2f M", params / 1e6);
        return String.format(Locale.ROOT, "%.2f B", params / 1e9);
    }

    private void printJson(PrintWriter out, Benchmark.ModelInfo info, List<Benchmark.Result> results, OptionalLong rss) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"model\": ").append(str(info.description())).append(",\n");
        b.append("  \"file\": ").append(str(file.toString())).append(",\n");
        b.append("  \"size_bytes\": ").append(info.sizeBytes()).append(",\n");
        b.append("  \"params\": ").append(info.params()).append(",\n");
        b.append("  \"kernels\": ").append(str(kernelsLabel)).append(",\n");
        b.append("  \"threads\": ").append(engine.threads).append(",\n");
        b.append("  \"repetitions\": ").append(reps).append(",\n");
        b.append("  \"peak_rss_bytes\": ").append(rss.isPresent() ? Long.toString(rss.getAsLong()) : "null").append(",\n");
        b.append("  \"tests\": [");
        for (int i = 0; i < results.size(); i++) {
            Benchmark.Result r = results.get(i);
            Estimate rate = r.rate();
            b.append(i == 0 ? "\n" : ",\n").append("    {\"test\": ").append(str(r.name()))
                    .append(", \"n_prompt\": ").append(r.promptTokens())
                    .append(", \"n_gen\": ").append(r.genTokens())
                    .append(", \"n_depth\": ").append(r.depth())
                    .append(", \"samples_ns\": ").append(java.util.Arrays.toString(r.samplesNs()))
                    .append(", \"samples_ts\": ").append(numbers(r.tokensPerSecond()))
                    .append(", \"avg_ts\": ").append(num(rate.value()))
                    .append(", \"stddev_ts\": ").append(num(rate.error())).append('}');
        }
        b.append("\n  ]\n}");
        out.println(b);
    }

    private static String numbers(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(num(v[i]));
        return b.append(']').toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "null";
    }

    /** A JSON string literal. */
    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
