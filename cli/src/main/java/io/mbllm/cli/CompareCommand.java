package io.mbllm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.compare.CompareException;
import io.mbllm.engine.compare.CompareListener;
import io.mbllm.engine.compare.CompareSpec;
import io.mbllm.engine.compare.Comparison;
import io.mbllm.engine.compare.ComparisonResult;
import io.mbllm.engine.compare.FileVariantLoader;
import io.mbllm.engine.compare.Variant;
import io.mbllm.engine.compare.VariantResult;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.server.http.ServerConfig;
import io.mbllm.server.sched.ModelRef;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm compare MODEL...}: the same prompts through each model, greedily, answers side by side and a
 * table of size, bits per weight, load time, speed and, against the reference, KL divergence, top-1 agreement,
 * perplexity on {@code --text} and where the answers part ({@link Comparison}).
 *
 * <p>It runs in this process, like {@code perplexity} and {@code bench}, not through the server: the models are
 * loaded one at a time and unloaded after, and a comparison needs no running server. A MODEL that is not a GGUF
 * file is looked up in the local model store ({@code MBLLM_MODELS}) and its weights file is opened directly. The
 * server's {@code POST /api/compare} runs the same comparison on its scheduler.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare variants of a model (e.g. quantizations): answers side by side, size, speed, and against a "
                + "reference the KL divergence, top-1 agreement, perplexity on a text and where the greedy answers part.",
                "",
                "Each MODEL is a .gguf file or a name in the local store (MBLLM_MODELS). The reference is --reference, or else "
                        + "the model with the most bits per weight (F32, then F16, ...). Prompts are used raw (no chat template)."},
        footer = {"", "Examples:",
                "  mbllm compare stories:f32 stories:q8 stories:q4 --prompt 'Once upon a time' --text stories.txt",
                "  mbllm compare f16.gguf q4_k_m.gguf q2_k.gguf --prompts prompts.txt --json --plot quality.svg"})
final class CompareCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MODEL", description = "Models to compare: .gguf files or store names.")
    List<String> models = new ArrayList<>();

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt (repeatable).")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "FILE", description = "A file of prompts, one per line (blank lines skipped).")
    Path promptsFile;

    @Option(names = "--reference", paramLabel = "MODEL", description = "The reference (default: the model with the most bits per weight).")
    String reference;

    @Option(names = {"-f", "--text"}, paramLabel = "FILE", description = "UTF-8 text for perplexity and KL divergence (llama-perplexity's chunks).")
    Path textFile;

    @Option(names = {"-n", "--num-predict"}, paramLabel = "N", description = "Most tokens per answer (default: ${DEFAULT-VALUE}).")
    int numPredict = 64;

    @Option(names = "--seed", paramLabel = "S", description = "Seed reported with the results; greedy answers do not depend on it (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N", description = "Context length, and the text's chunk size at most (default: ${DEFAULT-VALUE}).")
    int ctx = 512;

    @Option(names = "--json", description = "Print the results as JSON (the final object of /api/compare).")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw KLD (log scale) against bits per weight into FILE.svg or FILE.png.")
    Path plot;

    @Option(names = "--no-progress", description = "No progress bars on stderr.")
    boolean noProgress;

    @Mixin
    EngineOptions engine;

    private final Map<String, String> env;

    CompareCommand() {
        this(System.getenv());
    }

    CompareCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (!prompts.isEmpty() && promptsFile != null) throw new EngineOptions.CliException(2, "give --prompt or --prompts, not both");
            if (plot != null && !PlotFile.supported(plot)) throw new EngineOptions.CliException(2, "--plot: the file name must end in .svg or .png: " + plot);
            List<String> all = new ArrayList<>(prompts);
            if (promptsFile != null) {
                for (String line : Files.readAllLines(promptsFile, StandardCharsets.UTF_8)) if (!line.isBlank()) all.add(line.strip());
                if (all.isEmpty()) throw new EngineOptions.CliException(2, promptsFile + ": no prompts in the file");
            }
            String text = textFile == null ? null : Files.readString(textFile, StandardCharsets.UTF_8);
            CompareSpec cs;
            try {
                cs = new CompareSpec(all, numPredict, seed, ctx, text);
            } catch (IllegalArgumentException e) {
                throw new EngineOptions.CliException(2, e.getMessage() + (all.isEmpty() ? " (--prompt, --prompts or --text)" : ""));
            }
            List<Variant> variants = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (String m : models) {
                Variant v = resolve(m);
                if (names.add(v.name())) variants.add(v);
            }
            Variant ref = reference == null ? null : resolve(reference);
            ComparisonResult result;
            try (Parallel pool = engine.pool()) {
                MatMul matMul = engine.kernels.create(pool);
                result = Comparison.run(variants, ref, cs, new FileVariantLoader(pool, matMul), new Progress(err),
                        () -> false);
            }
            if (json) {
                out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.toJsonMap()));
            } else {
                printAnswers(out, result);
                Table.print(out, table(result));
            }
            out.flush();
            if (plot != null) {
                writePlot(result, plot);
                err.println("mbllm compare: plot written to " + plot);
            }
            return 0;
        } catch (EngineOptions.CliException e) {
            err.println("mbllm compare: " + e.getMessage());
            return e.exitCode;
        } catch (CompareException e) {
            err.println("mbllm compare: " + e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("mbllm compare: " + e.getFile() + ": no such file");
            return 1;
        } catch (CharacterCodingException e) {
            err.println("mbllm compare: not valid UTF-8: " + (textFile != null ? textFile : promptsFile));
            return 1;
        } catch (IOException e) {
            err.println("mbllm compare: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A GGUF path as itself (shown by its file name), or a store name through the local store. */
    private Variant resolve(String model) throws EngineOptions.CliException {
        if (RunCommand.isLocalFile(model)) {
            Path p = Path.of(model);
            if (!Files.isRegularFile(p)) throw new EngineOptions.CliException(1, model + ": no such file");
            return new Variant(p.getFileName().toString(), p);
        }
        Optional<Path> file = storeFile(model);
        return new Variant(model, file.orElseThrow(() -> new EngineOptions.CliException(1, "model '" + model + "' not found")));
    }

    private Optional<Path> storeFile(String model) throws EngineOptions.CliException {
        ModelName name;
        try {
            name = ModelRef.parse(model).toModelName();
        } catch (IllegalArgumentException e) {
            throw new EngineOptions.CliException(1, "model '" + model + "' not found (not a file, nor a valid model name)");
        }
        try {
            Path dir = ServerConfig.fromEnv(env).modelsDir();
            if (!Files.isDirectory(dir.resolve("manifests"))) return Optional.empty();
            ModelStore store = ModelStore.open(dir);
            Optional<ModelName> stored = store.resolve(name);
            if (stored.isEmpty()) return Optional.empty();
            return store.show(stored.get()).modelPath();
        } catch (IOException | StoreException | IllegalArgumentException e) {
            throw new EngineOptions.CliException(1, "cannot read the model store: " + e.getMessage());
        }
    }

    static void writePlot(ComparisonResult result, Path file) throws IOException {
        PlotFile.write(QualityPlot.marks(result), QualityPlot.WIDTH, QualityPlot.HEIGHT, file);
    }

    private void printAnswers(PrintWriter out, ComparisonResult result) {
        int width = terminalWidth();
        List<String> headers = new ArrayList<>();
        for (VariantResult r : result.results()) headers.add(r.model() + (r.reference() ? " (reference)" : ""));
        for (int i = 0; i < result.prompts().size(); i++) {
            out.println("Prompt " + (i + 1) + ": " + result.prompts().get(i));
            List<String> texts = new ArrayList<>();
            for (VariantResult r : result.results()) texts.add(r.answers().get(i));
            for (String line : SideBySide.render(headers, texts, width)) out.println(line);
            out.println();
        }
    }

    private int terminalWidth() {
        try {
            int w = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
            if (w >= 40) return w;
        } catch (NumberFormatException e) {
            // not set: the default below
        }
        return 120;
    }

    /** The metrics table: one row per variant, the reference first. */
    static List<String[]> table(ComparisonResult result) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MODEL", "SIZE", "BPW", "LOAD", "PROMPT", "GEN", "KLD MEAN", "KLD P99", "TOP-1", "PPL", "DIVERGES AT"});
        for (VariantResult r : result.results()) {
            rows.add(new String[] {
                    r.model() + (r.reference() ? " (ref)" : ""),
                    HumanSize.format(r.size()),
                    String.format(Locale.ROOT, "%.2f", r.bitsPerWeight()),
                    Units.duration(r.loadMs() / 1000),
                    String.format(Locale.ROOT, "%.1f t/s", r.promptTps()),
                    String.format(Locale.ROOT, "%.1f t/s", r.genTps()),
                    r.kldMean() == null ? "-" : String.format(Locale.ROOT, "%.6f", r.kldMean()),
                    r.kldP99() == null ? "-" : String.format(Locale.ROOT, "%.6f", r.kldP99()),
                    r.top1Agreement() == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * r.top1Agreement()),
                    r.perplexity() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.perplexity()),
                    r.reference() ? "-" : r.divergesAt() == null ? "never" : "token " + r.divergesAt()});
        }
        return rows;
    }

    /** One progress bar per model on stderr. */
    private final class Progress implements CompareListener {
        private final PrintWriter err;
        private ProgressBar bar;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void loading(String model) {
            if (noProgress) return;
            if (bar != null) bar.finish();
            bar = ProgressBar.steps(err, isTerminal(), System::nanoTime);
            bar.update(model + ": loading", 0, 1);
        }

        @Override
        public void progress(String model, String phase, int completed, int total) {
            if (bar != null) bar.update(model + ": " + phase, completed, total);
        }

        @Override
        public void result(VariantResult result) {
            if (bar != null) bar.finish();
            bar = null;
        }
    }

    private static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
