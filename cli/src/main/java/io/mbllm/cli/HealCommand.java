package io.mbllm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.heal.HealOptions;
import io.mbllm.engine.heal.HealReport;
import io.mbllm.engine.heal.Healer;
import io.mbllm.engine.heal.TeacherText;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.TokenizerException;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.engine.train.ForwardBackward;
import io.mbllm.engine.train.LoraTarget;
import io.mbllm.engine.train.TrainBatch;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.kernels.Parallel;
import io.mbllm.server.modelfile.Modelfile;
import io.mbllm.server.store.Layer;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm heal STUDENT --teacher TEACHER (--data FILE | --generate N) --out ADAPTER.gguf}: distils the
 * teacher's next-token distributions into a LoRA adapter on the quantized student ({@link Healer}), reports KL
 * divergence, top-1 agreement and perplexity on held-out text before and after and the adapter's size, and with
 * {@code --create NAME:TAG} creates the healed model (student + ADAPTER) through the server as {@code mbllm create}
 * does. Exit 0 on success, 1 on bad input or a failed run (the message says why), 2 on usage errors.
 */
@Command(name = "heal", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = HealCommand.Defaults.class,
        description = {"Heal a quantized model: train a LoRA adapter on it (the student) to match its unquantized "
                + "original (the teacher), by the KL divergence of their next-token distributions.",
                "STUDENT and TEACHER are GGUF files or names of models in the local store (MBLLM_MODELS).",
                "Training text: --data FILE (plain text) and/or --generate N (N tokens sampled from the teacher "
                        + "with --seed). Held-out text for the report: --eval-text FILE; by default the last 20%% "
                        + "of --data, or, with --generate alone, teacher text sampled with seed+1.",
                "The loss at temperature T is T²·KL(softmax(teacher/T) ‖ softmax(student/T)), averaged over every "
                        + "position.",
                "Memory: the teacher's distributions of all training tokens are kept (4·n_vocab bytes per token) "
                        + "up to --cache-mb, else recomputed per step; activations take "
                        + ForwardBackward.FORMULA + " bytes per token of a batch."},
        footer = {"", "Example:",
                "  mbllm heal stories-q2.gguf --teacher stories.gguf --generate 32768 \\",
                "      --eval-text stories.txt --out healed.gguf --create stories:q2-healed"})
public final class HealCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STUDENT", description = "The quantized model to heal (GGUF file or store name).")
    String student;

    @Option(names = "--teacher", required = true, paramLabel = "TEACHER", description = "The unquantized (F32/F16) model (GGUF file or store name).")
    String teacher;

    @Option(names = "--data", paramLabel = "FILE", description = "Training text (UTF-8).")
    Path data;

    @Option(names = "--generate", paramLabel = "N", description = "Also train on N tokens the teacher writes (from BOS, or from --prompts).")
    Integer generate;

    @Option(names = "--prompts", paramLabel = "FILE", description = "With --generate: start sequences with these prompts (one per line, taken in turn).")
    Path prompts;

    @Option(names = "--eval-text", paramLabel = "FILE", description = "Held-out text for the before/after report.")
    Path evalText;

    @Option(names = "--eval-ctx", paramLabel = "N", description = "Tokens per chunk of the held-out evaluation (default: ${DEFAULT-VALUE}).")
    int evalCtx = 256;

    @Mixin
    LoraTrainingOptions lora;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps, one batch each (default: ${DEFAULT-VALUE}).")
    int steps = 160;

    @Option(names = "--temperature", paramLabel = "T", description = "Distillation temperature (default: ${DEFAULT-VALUE}).")
    float temperature = 1f;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the generated text and of the adapter init (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--adapter-type", paramLabel = "TYPE", description = "Adapter tensors: f16 or f32 (default: ${DEFAULT-VALUE}).")
    String adapterType = "f16";

    @Option(names = "--cache-mb", paramLabel = "MB", description = "Most MiB of teacher distributions kept in memory (default: ${DEFAULT-VALUE}).")
    long cacheMb = 1024;

    @Option(names = "--create", paramLabel = "NAME:TAG", description = "Then create this model (student + ADAPTER) through the server, as mbllm create.")
    String create;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--no-progress", description = "No progress bars on stderr.")
    boolean noProgress;

    private final CliContext ctx;
    private PrintWriter err;

    public HealCommand() {
        this(CliContext.system());
    }

    HealCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** This command's defaults of the LoRA training options. */
    static final class Defaults extends LoraTrainingOptions.Defaults {
        Defaults() {
            super(1, 2f, "q,k,v,o,gate,up", 1e-2, 8, 128);
        }
    }

    @Override
    public Integer call() {
        PrintWriter o = new PrintWriter(ctx.out(), true, StandardCharsets.UTF_8);
        err = new PrintWriter(ctx.err(), true, StandardCharsets.UTF_8);
        try {
            run(o);
            return 0;
        } catch (EngineOptions.CliException e) {
            err.println("mbllm heal: " + e.getMessage());
            return e.exitCode;
        } catch (EvalException | TokenizerException | LoraException | ModelLoadException | IllegalArgumentException
                 | StoreException | CliException e) {
            err.println("mbllm heal: " + e.getMessage());
            return 1;
        } catch (ApiException e) {
            err.println("mbllm heal: --create: " + e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println("mbllm heal: " + e.getFile() + ": no such file");
            return 1;
        } catch (CharacterCodingException e) {
            err.println("mbllm heal: the text is not valid UTF-8");
            return 1;
        } catch (GgufFormatException e) {
            err.println("mbllm heal: not a valid GGUF file: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("mbllm heal: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("mbllm heal: interrupted");
            return 130;
        } finally {
            o.flush();
            err.flush();
        }
    }

    private HealOptions options() throws EngineOptions.CliException {
        if (data == null && generate == null) throw new EngineOptions.CliException(2, "give training text with --data FILE and/or --generate N");
        if (prompts != null && generate == null) throw new EngineOptions.CliException(2, "--prompts needs --generate N");
        Set<LoraTarget> targets = lora.check();
        if (threads < 1) throw new EngineOptions.CliException(2, "--threads must be at least 1, got " + threads);
        if (cacheMb < 0) throw new EngineOptions.CliException(2, "--cache-mb must not be negative, got " + cacheMb);
        GgmlType type = switch (adapterType.toLowerCase(Locale.ROOT)) {
            case "f16" -> GgmlType.F16;
            case "f32" -> GgmlType.F32;
            default -> throw new EngineOptions.CliException(2, "--adapter-type must be f16 or f32, got " + adapterType);
        };
        if (create != null && !ModelName.isValid(create)) throw new EngineOptions.CliException(2, "--create: invalid model name: " + create);
        try {
            return new HealOptions(lora.rank, lora.alpha, targets, lora.lr, steps, temperature, seed, evalCtx, type,
                    cacheMb << 20);
        } catch (IllegalArgumentException e) {
            throw new EngineOptions.CliException(2, e.getMessage());
        }
    }

    private void run(PrintWriter o) throws EngineOptions.CliException, IOException, EvalException, LoraException, ModelLoadException,
            StoreException, CliException, ApiException, InterruptedException {
        HealOptions opts = options();
        ModelRef s = ModelRef.resolve(student, ctx);
        ModelRef t = ModelRef.resolve(teacher, ctx);
        ApiClient client = null;
        if (create != null) { // fail before the training when the server is not there
            client = new ApiClient(ServerAddress.fromEnvironment(ctx.env(), w -> err.println("Warning: " + w)));
            client.heartbeat();
        }
        Path adapter = ctx.cwd().resolve(lora.out).toAbsolutePath();
        if (adapter.getParent() != null && !Files.isDirectory(adapter.getParent())) {
            throw new EngineOptions.CliException(1, adapter.getParent() + ": no such folder");
        }
        HealReport report;
        try (Parallel pool = new Parallel(threads); Model tm = Model.open(t.file()); Model sm = Model.open(s.file())) {
            Tokenizer tok = Tokenizers.fromGguf(((GgufModelSource) tm.source()).file().metadata());
            int bos = Perplexity.chunkStartToken(tok);
            List<int[]> train = new ArrayList<>();
            int[] eval = null;
            if (data != null) {
                int[] ids = Perplexity.tokenizeText(tok, Files.readString(ctx.cwd().resolve(data), StandardCharsets.UTF_8));
                if (evalText == null) {
                    int cut = ids.length - ids.length / 5;
                    eval = new int[ids.length - cut + 1];
                    eval[0] = bos >= 0 ? bos : ids[cut];
                    System.arraycopy(ids, cut, eval, 1, ids.length - cut);
                    ids = Arrays.copyOf(ids, cut);
                    info("held out the last 20% of " + data + ": " + eval.length + " tokens");
                }
                for (int i = 0; i + lora.seqLen <= ids.length; i += lora.seqLen) train.add(Arrays.copyOfRange(ids, i, i + lora.seqLen));
                if (train.isEmpty()) {
                    throw new EngineOptions.CliException(1, data + " has " + ids.length + " training tokens, fewer than one sequence of --seq-len " + lora.seqLen);
                }
            }
            if (generate != null) {
                List<int[]> starts = new ArrayList<>();
                if (prompts != null) {
                    for (String line : Files.readAllLines(ctx.cwd().resolve(prompts), StandardCharsets.UTF_8)) {
                        if (!line.isBlank()) starts.add(tok.encode(line, false, false));
                    }
                }
                train.addAll(generate(tm, tok, startToken(tok, bos), starts, generate, seed, pool, "teacher writing training text"));
            }
            if (evalText != null) {
                eval = Perplexity.tokenizeText(tok, Files.readString(ctx.cwd().resolve(evalText), StandardCharsets.UTF_8));
            } else if (eval == null) {
                int n = Math.max(4 * evalCtx, generate / 4);
                eval = concat(generate(tm, tok, startToken(tok, bos), List.of(), n, seed + 1, pool, "teacher writing held-out text"));
            }
            if (eval.length < 2 * evalCtx) {
                throw new EngineOptions.CliException(1, "the held-out text has " + eval.length + " tokens; --eval-ctx " + evalCtx
                        + " needs at least " + 2 * evalCtx + " (give more text or a smaller --eval-ctx)");
            }
            List<TrainBatch> batches = new ArrayList<>();
            for (int i = 0; i < train.size(); i += lora.batch) {
                batches.add(TrainBatch.nextToken(train.subList(i, Math.min(train.size(), i + lora.batch)).toArray(int[][]::new)));
            }
            long trainTokens = train.stream().mapToLong(a -> a.length).sum();
            info(String.format(Locale.ROOT, "heal: %d training tokens in %d batches; rank %d on %s; %d steps; T %s",
                    trainTokens, batches.size(), lora.rank, lora.targets, steps, temperature));
            report = Healer.heal(tm, sm, Files.size(s.file()), batches, eval, bos, opts, adapter, pool, new Bars());
        }
        print(o, report, adapter);
        if (create != null) {
            Modelfile mf = new Modelfile(List.of(s.fromArgument()), List.of(adapter.toString()), Optional.empty(),
                    Optional.empty(), io.mbllm.server.modelfile.Parameters.EMPTY, List.of(), List.of(), Optional.empty());
            CreateCommand.send(ctx, client, create, mf, ctx.cwd(), null);
            o.println("created " + create + " (" + s.fromArgument() + " + " + adapter.getFileName() + ")");
        }
    }

    private List<int[]> generate(Model m, Tokenizer tok, int bos, List<int[]> starts, int n, long sd, Parallel pool, String label) {
        ProgressBar bar = bar();
        try {
            return TeacherText.generate(m, bos, tok::isEog, starts, n, lora.seqLen, sd, pool, k -> { if (bar != null) bar.update(label, k, n); });
        } finally {
            if (bar != null) bar.finish();
        }
    }

    /**
     * The token generated sequences start from: BOS when the vocabulary adds it; else its BOS or EOS token
     * (GPT-style vocabularies use {@code <|endoftext|>} as document separator), so sampling never starts blind.
     */
    private static int startToken(Tokenizer tok, int bos) {
        if (bos >= 0) return bos;
        return tok.bos() >= 0 ? tok.bos() : tok.eos();
    }

    private static int[] concat(List<int[]> seqs) {
        int n = seqs.stream().mapToInt(a -> a.length).sum();
        int[] out = new int[n];
        int at = 0;
        for (int[] a : seqs) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    private ProgressBar bar() {
        return noProgress ? null : ProgressBar.steps(err, ctx.tty(), System::nanoTime);
    }

    /** The healer's phases as progress bars on stderr. */
    private final class Bars implements Healer.Listener {
        private ProgressBar bar;
        private String phase;
        private long total;

        @Override
        public void begin(String name, long n) {
            phase = name;
            total = n;
            bar = bar();
            if (bar != null) bar.update(name, 0, n);
        }

        @Override
        public void advance(long done, String detail) {
            // the detail (the loss) only on a terminal: in a log, each new label would print a line
            if (bar != null) bar.update(detail.isEmpty() || !ctx.tty() ? phase : phase + ", " + detail, done, total);
        }

        @Override
        public void end() {
            if (bar != null) {
                bar.update(phase, total, total);
                bar.finish();
            }
        }
    }

    private void print(PrintWriter o, HealReport r, Path adapter) {
        KldResult b = r.before(), a = r.after();
        o.println(String.format(Locale.ROOT, "held-out: %d positions (teacher PPL %.4f)", b.count(), r.teacher().ppl()));
        o.println(String.format(Locale.ROOT, "%-22s %12s %12s", "", "student", "healed"));
        row(o, "KLD mean", b.kld().value(), a.kld().value(), "%12.6f");
        row(o, "KLD p99", b.kldValues().p99(), a.kldValues().p99(), "%12.6f");
        row(o, "KLD median", b.kldValues().median(), a.kldValues().median(), "%12.6f");
        row(o, "top-1 agreement %", 100 * b.sameTop().value(), 100 * a.sameTop().value(), "%12.3f");
        row(o, "PPL", b.pplQ().value(), a.pplQ().value(), "%12.4f");
        o.println(String.format(Locale.ROOT, "KLD after/before: %.3f; training loss %.5f -> %.5f in %s (%d tokens)",
                r.kldRatio(), r.firstLoss(), r.lastLoss(), Units.duration(r.trainSeconds()), r.trainTokens()));
        o.println(String.format(Locale.ROOT, "adapter: %s, %d bytes (%s, %.2f%% of the student's %s), %d parameters",
                adapter, r.adapterBytes(), HumanSize.format(r.adapterBytes()), 100 * r.adapterShare(),
                HumanSize.format(r.studentBytes()), r.parameters()));
    }

    private static void row(PrintWriter o, String label, double before, double after, String f) {
        o.println(String.format(Locale.ROOT, "%-22s " + f + " " + f, label, before, after));
    }

    private void info(String message) {
        err.println(message);
        err.flush();
    }

    /**
     * A model named on the command line: a GGUF file, or a model of the local store (its model blob).
     *
     * @param file         the GGUF file to open
     * @param fromArgument what a Modelfile's FROM names it by (the store name, or the absolute file path)
     */
    record ModelRef(Path file, String fromArgument) {
        static ModelRef resolve(String arg, CliContext ctx) throws EngineOptions.CliException, IOException, StoreException {
            Path p = ctx.cwd().resolve(arg);
            if (Files.isRegularFile(p)) return new ModelRef(p.toAbsolutePath(), p.toAbsolutePath().toString());
            if (arg.endsWith(".gguf") || arg.contains("/") && !ModelName.isValid(arg)) throw new NoSuchFileException(arg);
            if (!ModelName.isValid(arg)) throw new EngineOptions.CliException(1, arg + ": neither a file nor a valid model name");
            ModelStore store = ModelStore.open(ModelStore.defaultRoot(ctx.env(), System.getProperty("user.home")));
            ModelName name = ModelName.parse(arg);
            var m = store.manifest(name);
            if (!m.layers(io.mbllm.server.store.LayerKind.ADAPTER).isEmpty()) {
                throw new EngineOptions.CliException(1, arg + " already has adapters: heal the plain model");
            }
            Layer model = m.modelLayer().orElseThrow(() -> new EngineOptions.CliException(1, arg + " has no model layer"));
            return new ModelRef(store.blobs().path(model.digest()), arg);
        }
    }
}
