package io.mbllm.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.template.ChatFormatter;
import io.mbllm.engine.template.ChatMessage;
import io.mbllm.engine.template.TemplateException;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.TokenizerException;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.engine.train.AdamW;
import io.mbllm.engine.train.AdapterFiles;
import io.mbllm.engine.train.CrossEntropyLoss;
import io.mbllm.engine.train.ForwardBackward;
import io.mbllm.engine.train.LoraLayout;
import io.mbllm.engine.train.LoraTarget;
import io.mbllm.engine.train.StepResult;
import io.mbllm.engine.train.TrainBatch;
import io.mbllm.engine.train.TrainData;
import io.mbllm.engine.train.TrainState;
import io.mbllm.engine.train.Trainer;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.kernels.Parallel;
import io.mbllm.server.store.InvalidModelNameException;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm finetune BASE --data FILE --out ADAPTER.gguf}: trains a LoRA adapter on a frozen base model
 * (QLoRA when the base is quantized: its weights are dequantized on the fly) with AdamW, and writes it as a
 * llama.cpp GGUF LoRA adapter. Exit 0 on success, 1 on bad input (the message says why), 2 on usage errors.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = FinetuneCommand.Defaults.class,
        description = {"Train a LoRA adapter (QLoRA on a quantized base) and write it as a GGUF adapter for --lora, "
                + "merge-lora or llama.cpp.",
                "",
                "Data formats: text (one file, tokenized like llama-perplexity -f, cut into --seq-len sequences, the tail "
                + "dropped); jsonl-chat (lines {\"messages\":[{\"role\":..,\"content\":..}]} rendered with the model's "
                + "chat template, loss on the assistant turns only); jsonl-completion (lines {\"prompt\":..,"
                + "\"completion\":..}, loss on the completion and EOS). Batches are taken in file order, never shuffled: "
                + "step s uses batch (s-1) mod batches (k batches with --grad-accum k). JSONL examples longer than "
                + "--seq-len are cut.",
                "",
                "Memory: the memory-mapped base; 16 bytes per adapter parameter (A, B, gradient, two AdamW moments); "
                + "activations of " + ForwardBackward.FORMULA + " bytes per token of a batch (q, k, v, o: projection "
                + "widths; blocks are recomputed in the backward pass); 256·n_vocab bytes for the logits.",
                "",
                "Ctrl-C stops after the current step and saves OUT.checkpoint.gguf for --resume (a second Ctrl-C quits at once).",
                ""})
public final class FinetuneCommand implements Callable<Integer> {
    enum Format { text, jsonl_chat, jsonl_completion }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BASE", description = "The base model: a GGUF file or a stored model name.")
    String base;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training data (UTF-8).")
    Path data;

    @Option(names = "--format", paramLabel = "F", converter = FormatConverter.class,
            description = "text, jsonl-chat or jsonl-completion (default: text).")
    Format format = Format.text;

    @Mixin
    LoraTrainingOptions lora;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "AdamW decoupled weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay = 0.0;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data (default: ${DEFAULT-VALUE}); ignored with --steps.")
    int epochs = 1;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps in all (including those of a resumed checkpoint).")
    Integer steps;

    @Option(names = "--grad-accum", paramLabel = "K", description = "Batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum = 1;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the A init (default: ${DEFAULT-VALUE}).")
    long seed = 7;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Write OUT.checkpoint.gguf every N steps (0: never).")
    int checkpointEvery = 0;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint (A, B, AdamW state, step).")
    Path resume;

    @Option(names = "--loss-csv", paramLabel = "FILE", description = "Write step, loss, gradient norm, tokens, seconds per step as CSV.")
    Path lossCsv;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw the loss curve to FILE.svg or FILE.png.")
    Path plot;

    @Option(names = "--ppl-ctx", paramLabel = "N", description = "Context of the before/after perplexity on text data (default: 2 x --seq-len).")
    Integer pplCtx;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    private PrintWriter stdout, err;
    /** Set by the first Ctrl-C: finish the current step, save a checkpoint and stop. */
    private volatile boolean stopRequested;

    /** This command's defaults of the LoRA training options. */
    static final class Defaults extends LoraTrainingOptions.Defaults {
        Defaults() {
            super(8, 16f, "q,k,v,o,gate,up,down", 1e-3, 4, 256);
        }
    }

    /** Accepts the formats with dashes. */
    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format f : Format.values()) if (f.name().replace('_', '-').equals(value)) return f;
            throw new CommandLine.TypeConversionException("expected text, jsonl-chat or jsonl-completion, got '" + value + "'");
        }
    }

    @Override
    public Integer call() {
        stdout = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        try {
            checkOptions();
            Path basePath = resolveBase(base);
            try (Parallel pool = new Parallel(threads); Model model = EngineOptions.openModel(basePath)) {
                run(model, pool);
            }
            return 0;
        } catch (EngineOptions.CliException e) {
            return fail(e.getMessage(), e.exitCode);
        } catch (IllegalArgumentException | TokenizerException | EvalException | LoraException e) {
            return fail(e.getMessage(), 1);
        } catch (TemplateException e) {
            return fail("chat template: " + e.getMessage(), 1);
        } catch (NoSuchFileException e) {
            return fail(e.getFile() + ": no such file", 1);
        } catch (CharacterCodingException e) {
            return fail(data + ": not valid UTF-8", 1);
        } catch (GgufFormatException e) {
            return fail("not a valid GGUF file: " + e.getMessage(), 1);
        } catch (IOException e) {
            return fail(e.getMessage(), 1);
        } finally {
            stdout.flush();
            err.flush();
        }
    }

    private int fail(String message, int code) {
        err.println("mbllm finetune: " + message);
        err.flush();
        return code;
    }

    private void checkOptions() throws EngineOptions.CliException {
        lora.check();
        if (!(weightDecay >= 0)) throw new EngineOptions.CliException(2, "--weight-decay must not be negative");
        if (epochs < 1) throw new EngineOptions.CliException(2, "--epochs must be at least 1, got " + epochs);
        if (steps != null && steps < 1) throw new EngineOptions.CliException(2, "--steps must be at least 1, got " + steps);
        if (gradAccum < 1) throw new EngineOptions.CliException(2, "--grad-accum must be at least 1, got " + gradAccum);
        if (checkpointEvery < 0) throw new EngineOptions.CliException(2, "--checkpoint-every must not be negative");
        if (threads < 1) throw new EngineOptions.CliException(2, "-t must be at least 1, got " + threads);
        if (plot != null && !PlotFile.supported(plot)) throw new EngineOptions.CliException(2, "--plot must name a .svg or .png file: " + plot);
        if (pplCtx != null && pplCtx < 4) throw new EngineOptions.CliException(2, "--ppl-ctx must be at least 4");
    }

    /** A GGUF path, or else a model in the local store (its weights blob). */
    static Path resolveBase(String base) throws EngineOptions.CliException {
        Path p = Path.of(base);
        if (Files.isRegularFile(p)) return p;
        if (base.toLowerCase(Locale.ROOT).endsWith(".gguf")) throw new EngineOptions.CliException(1, base + ": no such file");
        Path root = ModelStore.defaultRoot();
        if (!Files.isDirectory(root)) throw new EngineOptions.CliException(1, base + ": no such file (and no model store at " + root + ")");
        try {
            ModelStore store = ModelStore.open(root);
            return store.show(ModelName.parse(base)).modelPath()
                    .orElseThrow(() -> new EngineOptions.CliException(1, base + ": the stored model has no weights"));
        } catch (InvalidModelNameException e) {
            throw new EngineOptions.CliException(1, base + ": no such file or model name");
        } catch (StoreException e) {
            throw new EngineOptions.CliException(1, base + ": no such file, and no stored model of that name");
        } catch (IOException e) {
            throw new EngineOptions.CliException(1, base + ": " + e.getMessage());
        }
    }

    private void run(Model model, Parallel pool) throws IOException, TokenizerException, TemplateException, EvalException, LoraException,
            EngineOptions.CliException {
        var md = ((GgufModelSource) model.source()).file().metadata();
        Tokenizer tok = Tokenizers.fromGguf(md);
        String arch = md.getString("general.architecture");
        String text = Files.readString(data, StandardCharsets.UTF_8);
        int[] textIds = null;
        List<TrainBatch> batches;
        switch (format) {
            case text -> {
                textIds = Perplexity.tokenizeText(tok, text);
                batches = TrainData.text(textIds, lora.seqLen, lora.batch);
                info(String.format(Locale.ROOT, "data: %d tokens -> %d sequences of %d (%d tokens dropped), %d batches",
                        textIds.length, textIds.length / lora.seqLen, lora.seqLen, textIds.length % lora.seqLen, batches.size()));
            }
            case jsonl_chat, jsonl_completion -> {
                List<TrainData.Example> ex = jsonl(text, tok, md.findString("tokenizer.chat_template").orElse(null));
                TrainData.Prepared p = TrainData.examples(ex, lora.seqLen, lora.batch);
                batches = p.batches();
                info(String.format(Locale.ROOT, "data: %d examples (%d cut to --seq-len %d, %d without targets left out), %d batches",
                        ex.size(), p.truncated(), lora.seqLen, p.dropped(), batches.size()));
            }
            default -> throw new IllegalStateException();
        }
        if (lora.seqLen > model.config().contextLength()) {
            info("warning: --seq-len " + lora.seqLen + " is longer than the model's training context " + model.config().contextLength());
        }
        Set<LoraTarget> tg = LoraTarget.parse(lora.targets);
        LoraLayout layout = LoraLayout.of(model.config(), tg, lora.rank);
        TrainState state;
        if (resume != null) {
            state = AdapterFiles.readCheckpoint(resume, layout);
            if (state.alpha() != lora.alpha) {
                throw new IllegalArgumentException(resume + ": checkpoint has alpha " + state.alpha() + ", the run uses --alpha " + lora.alpha);
            }
            info("resuming from " + resume + " after step " + state.step());
        } else {
            state = TrainState.initial(layout, lora.alpha, seed);
        }
        ForwardBackward fb = new ForwardBackward(model, layout, lora.alpha, pool);
        Trainer trainer = new Trainer(fb, state, batches, CrossEntropyLoss.INSTANCE, gradAccum, new AdamW(lora.lr, 0.9, 0.999, 1e-8, weightDecay));
        int stepsPerEpoch = (batches.size() + gradAccum - 1) / gradAccum;
        int total = steps != null ? steps : epochs * stepsPerEpoch;
        if (state.step() >= total) throw new IllegalArgumentException("the checkpoint is already at step " + state.step() + " of " + total);
        int maxTokens = 0;
        for (TrainBatch b : batches) maxTokens = Math.max(maxTokens, b.rows());
        long act = ForwardBackward.bytesPerToken(model.config(), lora.rank) * maxTokens + 256L * model.config().vocabSize();
        info(String.format(Locale.ROOT, "model: %s (%s), %d layers; adapter: rank %d, alpha %s, %d matrices, %,d parameters",
                basePathName(), arch, model.config().blockCount(), lora.rank, fmt(lora.alpha), layout.slots().size(), layout.size()));
        info(String.format(Locale.ROOT, "training: %d steps (%d per epoch), lr %s, grad-accum %d; memory: activations %s, adapter+optimizer %s",
                total, stepsPerEpoch, fmt(lora.lr), gradAccum, HumanSize.format(act), HumanSize.format(16L * layout.size())));

        int ctx = pplCtx != null ? pplCtx : Math.min(2 * lora.seqLen, model.config().contextLength());
        Double pplBefore = textIds != null ? perplexity(model, pool, tok, textIds, ctx, null) : null;

        List<Double> losses = new ArrayList<>();
        int first = state.step() + 1;
        ProgressBar bar = noProgress ? null : ProgressBar.steps(err, System.console() != null, System::nanoTime);
        long start = System.nanoTime();
        long tokensDone = 0;
        Interrupts.onCtrlC(() -> {
            if (stopRequested) Runtime.getRuntime().halt(130); // a second Ctrl-C: stop at once
            stopRequested = true;
        });
        try (BufferedWriter csv = lossCsv == null ? null : Files.newBufferedWriter(lossCsv, StandardCharsets.UTF_8)) {
            if (csv != null) csv.write("step,loss,grad_norm,tokens,seconds\n");
            while (state.step() < total && !stopRequested) {
                long t0 = System.nanoTime();
                StepResult r = trainer.step();
                double secs = (System.nanoTime() - t0) / 1e9;
                if (!Double.isFinite(r.loss())) throw new IllegalArgumentException("the loss diverged at step " + r.step() + " (try a smaller --lr)");
                losses.add(r.loss());
                tokensDone += r.tokens();
                if (csv != null) csv.write(String.format(Locale.ROOT, "%d,%.8f,%.8f,%d,%.4f%n", r.step(), r.loss(), r.gradNorm(), r.tokens(), secs));
                double elapsed = (System.nanoTime() - start) / 1e9;
                int doneHere = r.step() - first + 1;
                double eta = elapsed / doneHere * (total - r.step());
                if (bar != null) {
                    bar.update(String.format(Locale.ROOT, "step %d, loss %.4f, %.0f tok/s, ETA %s", r.step(), r.loss(),
                            tokensDone / Math.max(elapsed, 1e-9), Units.duration(eta)), r.step(), total);
                }
                if (checkpointEvery > 0 && r.step() % checkpointEvery == 0 && r.step() < total) {
                    AdapterFiles.writeCheckpoint(checkpointPath(), arch, state);
                }
            }
        }
        if (bar != null) bar.finish();
        if (stopRequested && state.step() < total) {
            AdapterFiles.writeCheckpoint(checkpointPath(), arch, state);
            throw new EngineOptions.CliException(130, "interrupted after step " + state.step() + " of " + total
                    + "; saved " + checkpointPath() + " (continue with --resume " + checkpointPath() + ")");
        }
        double secs = (System.nanoTime() - start) / 1e9;
        String name = lora.out.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        AdapterFiles.writeAdapter(lora.out, arch, name, state);
        if (checkpointEvery > 0) AdapterFiles.writeCheckpoint(checkpointPath(), arch, state);
        stdout.println(String.format(Locale.ROOT, "trained %d steps in %s (%.0f tokens/s): loss %.4f (step %d) -> %.4f (step %d)",
                losses.size(), Units.duration(secs), tokensDone / Math.max(secs, 1e-9), losses.getFirst(), first, losses.getLast(), state.step()));
        stdout.println("wrote " + lora.out + " (" + HumanSize.format(Files.size(lora.out)) + ")"
                + (checkpointEvery > 0 ? " and checkpoint " + checkpointPath() : ""));
        if (textIds != null && pplBefore != null) {
            Double after = perplexity(model, pool, tok, textIds, ctx, lora.out);
            stdout.println(String.format(Locale.ROOT, "perplexity on the training text (ctx %d): %.4f -> %.4f", ctx, pplBefore, after));
        }
        if (lossCsv != null) stdout.println("wrote " + lossCsv);
        if (plot != null) {
            LossPlot.write(plot, "mbllm finetune: " + name + " (rank " + lora.rank + ", lr " + fmt(lora.lr) + ")", first, losses);
            stdout.println("wrote " + plot);
        }
    }

    private String basePathName() {
        return Path.of(base).getFileName().toString();
    }

    private Path checkpointPath() {
        return lora.out.resolveSibling(lora.out.getFileName().toString().replaceFirst("(?i)\\.gguf$", "") + ".checkpoint.gguf");
    }

    /** llama-perplexity's perplexity of the text (with the adapter when given), or null when the text is too short. */
    private Double perplexity(Model model, Parallel pool, Tokenizer tok, int[] ids, int ctx, Path adapter)
            throws EvalException, IOException, LoraException {
        if (ids.length < 2L * ctx) {
            if (adapter == null) info("perplexity: skipped, the text has fewer than 2 x " + ctx + " tokens (use --ppl-ctx)");
            return null;
        }
        ContextOptions opts = ContextOptions.of(ctx).withMaxBatch(Math.min(ctx, 512)).withParallel(pool);
        if (adapter == null) {
            try (InferenceContext ic = model.newContext(opts)) {
                return Perplexity.compute(ic, ids, ctx, Perplexity.chunkStartToken(tok), null, null).ppl();
            }
        }
        try (LoraAdapter a = LoraAdapter.load(adapter)) {
            LoraSet set = LoraSet.bind(model, List.of(new ScaledLora(a, 1f)));
            try (InferenceContext ic = model.newContext(opts.withLoras(set))) {
                return Perplexity.compute(ic, ids, ctx, Perplexity.chunkStartToken(tok), null, null).ppl();
            }
        }
    }

    /** Parses JSONL examples of the chosen format; blank lines are skipped; errors name the line. */
    private List<TrainData.Example> jsonl(String text, Tokenizer tok, String template) throws TemplateException {
        ObjectMapper json = new ObjectMapper();
        ChatFormatter fmt = null;
        String bosText = tok.bos() >= 0 ? tok.vocabulary().tokenText(tok.bos()) : "";
        if (format == Format.jsonl_chat) {
            if (template == null || template.isBlank()) throw new IllegalArgumentException("the model has no chat template (tokenizer.chat_template); use --format text or jsonl-completion");
            fmt = ChatFormatter.create(template, bosText, tok.eos() >= 0 ? tok.vocabulary().tokenText(tok.eos()) : "");
        }
        List<TrainData.Example> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String where = data + ":" + (i + 1) + ": ";
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + "not valid JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(where + "expected a JSON object");
            try {
                if (format == Format.jsonl_chat) {
                    JsonNode msgs = n.get("messages");
                    if (msgs == null || !msgs.isArray() || msgs.isEmpty()) throw new IllegalArgumentException("expected {\"messages\": [...]} with at least one message");
                    List<ChatMessage> list = new ArrayList<>();
                    for (JsonNode m : msgs) {
                        JsonNode role = m.get("role"), content = m.get("content");
                        if (role == null || !role.isTextual() || content == null || !content.isTextual()) {
                            throw new IllegalArgumentException("every message needs a string \"role\" and \"content\"");
                        }
                        list.add(ChatMessage.of(role.asText(), content.asText()));
                    }
                    out.add(TrainData.chat(tok, fmt, bosText, list));
                } else {
                    JsonNode p = n.get("prompt"), c = n.get("completion");
                    if (p == null || !p.isTextual() || c == null || !c.isTextual()) throw new IllegalArgumentException("expected {\"prompt\": \"...\", \"completion\": \"...\"}");
                    out.add(TrainData.completion(tok, p.asText(), c.asText()));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(data + ": no examples");
        return out;
    }

    private void info(String s) {
        err.println(s);
        err.flush();
    }

    private static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
