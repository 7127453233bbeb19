package io.mbllm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

import io.mbllm.engine.generate.GenerationException;
import io.mbllm.engine.generate.GenerationStats;
import io.mbllm.engine.generate.Generator;
import io.mbllm.engine.sample.InvalidOptionException;
import io.mbllm.engine.sample.OptionsParser;
import io.mbllm.engine.sample.SamplingOptions;
import io.mbllm.engine.template.ChatMessage;
import io.mbllm.engine.template.TemplateException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm run FILE.gguf [PROMPT...]}: runs a local model file directly, without a server. With a prompt
 * (or text piped on stdin) it generates once and streams the answer to stdout, then a newline; with neither,
 * on a terminal, it is an interactive chat ({@code >>> } prompt, history kept, {@code /bye} to quit). The
 * prompt goes through the file's chat template unless {@code --raw} (or the file has none). {@code --verbose}
 * prints Ollama's timing summary to stderr. Errors print {@code Error: ...} to stderr and exit 1.
 */
@Command(name = "run", description = "Run a local GGUF model file: answer PROMPT, or chat when no prompt is given.",
        mixinStandardHelpOptions = true)
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "store model name (through the server), or a local .gguf file")
    String model;

    @Parameters(index = "1..*", paramLabel = "PROMPT", description = "prompt words (joined with spaces)")
    List<String> promptWords = new ArrayList<>();

    @Option(names = "--temperature", paramLabel = "T", description = "sampling temperature (0 = greedy; default 0.8)")
    Double temperature;
    @Option(names = "--top-k", paramLabel = "K", description = "keep the K most likely tokens (default 40, <= 0 off)")
    Integer topK;
    @Option(names = "--top-p", paramLabel = "P", description = "nucleus sampling mass (default 0.9)")
    Double topP;
    @Option(names = "--min-p", paramLabel = "P", description = "drop tokens below P x the best (default 0)")
    Double minP;
    @Option(names = "--repeat-penalty", paramLabel = "X", description = "penalty on recent tokens (default 1.1)")
    Double repeatPenalty;
    @Option(names = "--seed", paramLabel = "N", description = "random seed (default -1 = random)")
    Long seed;
    @Option(names = "--num-predict", paramLabel = "N", description = "most tokens to generate (default -1 = no limit)")
    Integer numPredict;
    @Option(names = "--num-ctx", paramLabel = "N", description = "context length (default 4096, capped at the model's)")
    Integer numCtx;
    @Option(names = "--stop", paramLabel = "TEXT", description = "stop string (repeatable)")
    List<String> stop;
    @Option(names = "--raw", description = "send the prompt as is, without the chat template")
    boolean raw;
    @Option(names = "--verbose", description = "print timings to stderr after each answer")
    boolean verbose;
    @Option(names = "--format", paramLabel = "FORMAT", description = "response format: json (server models)")
    String format;
    @Option(names = "--keepalive", paramLabel = "DURATION", description = "how long the server keeps the model loaded (Go duration, e.g. 5m)")
    String keepAlive;
    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", description = "GGUF LoRA adapter applied at run time, scale 1 unless given (repeatable)")
    List<String> loras = new ArrayList<>();

    private final LocalModel.Loader loader;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final BooleanSupplier stdinIsTerminal;
    private final Map<String, String> env;
    private boolean signals;
    /** Set by Ctrl-C while a local answer is generated. */
    private volatile boolean cancelLocal;
    private volatile boolean generatingLocal;

    /** The command on the process's streams. */
    public RunCommand() {
        this(GgufLocalModel::open, System.in, new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), RunCommand::consoleIsTerminal, System.getenv());
        this.signals = true;
    }

    RunCommand(LocalModel.Loader loader, InputStream in, PrintStream out, PrintStream err, BooleanSupplier stdinIsTerminal) {
        this(loader, in, out, err, stdinIsTerminal, System.getenv());
    }

    RunCommand(LocalModel.Loader loader, InputStream in, PrintStream out, PrintStream err, BooleanSupplier stdinIsTerminal,
            Map<String, String> env) {
        this.env = env;
        this.loader = loader;
        this.in = in;
        this.out = out;
        this.err = err;
        this.stdinIsTerminal = stdinIsTerminal;
    }

    /**
     * The REPL's input: JLine on the process's own terminal; plain lines (and a SIGINT handler that stops the
     * answer) where JLine cannot open one, and under tests.
     */
    private LineInput lineInput(BufferedReader reader, ServerRun run) {
        if (signals) {
            try {
                return JLineInput.open(env, run::cancelAnswer);
            } catch (IOException | RuntimeException e) {
                err.println("Warning: no line editor (" + e.getMessage() + "); reading plain lines");
            }
            onCtrlC(() -> {
                if (!run.cancelAnswer()) {
                    out.print("\n" + ServerRun.EXIT_HINT + "\n\n>>> ");
                    out.flush();
                }
            });
        }
        return new LineInput.Plain(reader, out);
    }

    /** Installs {@code action} as the SIGINT handler, only for the process's own terminal (not under tests). */
    private void onCtrlC(Runnable action) {
        if (signals) Interrupts.onCtrlC(action);
    }

    private static boolean consoleIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** A local model file: an existing regular file, or a name ending in {@code .gguf}. */
    static boolean isLocalFile(String model) {
        if (model.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) return true;
        try {
            return java.nio.file.Files.isRegularFile(Path.of(model));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    @Override
    public Integer call() {
        return isLocalFile(model) ? callLocal() : callServer();
    }

    /** {@code run MODEL}: the store model through the server. */
    private Integer callServer() {
        try {
            ApiClient client = new ApiClient(ServerAddress.fromEnvironment(env, w -> err.println("Warning: " + w)));
            ServerRun run = new ServerRun(client, model, flagOptions(), format, keepAlive, verbose, out, err);
            boolean interactive = promptWords.isEmpty() && stdinIsTerminal.getAsBoolean();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            if (interactive) {
                com.fasterxml.jackson.databind.JsonNode shown = run.check();
                try (LineInput input = lineInput(reader, run)) {
                    run.chat(input, shown);
                }
            } else {
                run.check();
                run.once(oneShotPrompt(reader)); // Ctrl-C: the JVM's default, exit

            }
            return 0;
        } catch (ApiException | IOException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** {@code run FILE.gguf}: the file directly, no server. */
    private Integer callLocal() {
        Path file = Path.of(model);
        long start = System.nanoTime();
        try {
            SamplingOptions options = OptionsParser.apply(SamplingOptions.DEFAULTS, flagOptions());
            boolean interactive = promptWords.isEmpty() && stdinIsTerminal.getAsBoolean();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String prompt = interactive ? null : oneShotPrompt(reader);
            long loadStart = System.nanoTime();
            List<io.mbllm.engine.lora.LoraSpec> specs = loras.stream().map(io.mbllm.engine.lora.LoraSpec::parse).toList();
            LocalModel.Loader open = specs.isEmpty() ? loader : f -> GgufLocalModel.open(f, specs);
            try (LocalModel model = open.open(file)) {
                Session session = new Session(model, options, System.nanoTime() - loadStart);
                if (interactive) {
                    onCtrlC(() -> {
                        if (generatingLocal) {
                            cancelLocal = true;
                        } else {
                            out.print("\n" + ServerRun.EXIT_HINT + "\n\n>>> ");
                            out.flush();
                        }
                    });
                    session.chat(reader);
                } else {
                    session.once(prompt, start);
                }
            }
            return 0;
        } catch (InvalidOptionException | GenerationException | TemplateException e) {
            err.println("Error: " + e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("Error: open " + e.getFile() + ": no such file or directory");
        } catch (java.nio.file.AccessDeniedException e) {
            err.println("Error: open " + e.getFile() + ": permission denied");
        } catch (Exception e) {
            err.println("Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        return 1;
    }

    /** The flags given, as an Ollama options map. */
    private Map<String, Object> flagOptions() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "temperature", temperature);
        put(m, "top_k", topK);
        put(m, "top_p", topP);
        put(m, "min_p", minP);
        put(m, "repeat_penalty", repeatPenalty);
        put(m, "seed", seed);
        put(m, "num_predict", numPredict);
        put(m, "num_ctx", numCtx);
        put(m, "stop", stop);
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }

    /** The prompt words, after any text piped on stdin (Ollama: stdin text, a space, then the arguments). */
    private String oneShotPrompt(BufferedReader reader) throws IOException {
        String args = String.join(" ", promptWords);
        if (stdinIsTerminal.getAsBoolean()) return args;
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[8192];
        for (int n; (n = reader.read(buf)) > 0; ) sb.append(buf, 0, n);
        String piped = sb.toString();
        if (piped.isEmpty()) return args;
        return args.isEmpty() ? piped : piped + " " + args;
    }

    /** One loaded model and the state of the conversation. */
    private final class Session {
        private final LocalModel model;
        private final long loadNanos;
        private final PromptBuilder prompts;
        private SamplingOptions options;
        private Generator generator;
        private int contextLength;

        Session(LocalModel model, SamplingOptions options, long loadNanos) throws TemplateException {
            this.model = model;
            this.options = options;
            this.loadNanos = loadNanos;
            this.prompts = new PromptBuilder(model, raw);
            newContext();
        }

        private void newContext() {
            int trained = model.trainedContextLength();
            contextLength = trained > 0 ? Math.min(options.numCtx(), trained) : options.numCtx();
            generator = new Generator(model.newSequence(contextLength), model.endOfGeneration(), model::newDecoder);
        }

        void once(String prompt, long start) throws GenerationException, TemplateException {
            int[] tokens = prompts.templated() ? prompts.chat(List.of(ChatMessage.user(prompt))) : prompts.raw(prompt);
            GenerationStats stats = generator.generate(tokens, options, true, this::print, () -> false);
            out.println();
            out.flush();
            if (stats.truncatedTokens() > 0) {
                err.println("warning: the prompt was truncated to fit num_ctx " + contextLength + " ("
                        + stats.truncatedTokens() + " of " + (stats.truncatedTokens() + stats.promptTokens()) + " tokens dropped)");
            }
            if (verbose) summary(stats, System.nanoTime() - start, loadNanos);
        }

        private void print(String piece) {
            out.print(piece);
            out.flush();
        }

        void chat(BufferedReader reader) throws IOException {
            List<ChatMessage> history = new ArrayList<>();
            while (true) {
                out.print(">>> ");
                out.flush();
                String line = reader.readLine();
                if (line == null) {
                    out.println();
                    return;
                }
                String text = line.strip();
                if (text.startsWith("\"\"\"")) text = multiLine(text.substring(3), reader);
                if (text == null) return;
                if (text.isEmpty()) continue;
                if (text.startsWith("/")) {
                    if (!command(text, history)) return;
                    continue;
                }
                history.add(ChatMessage.user(text));
                long start = System.nanoTime();
                StringBuilder answer = new StringBuilder();
                try {
                    int[] tokens = fitHistory(history);
                    cancelLocal = false;
                    generatingLocal = true;
                    GenerationStats stats;
                    try {
                        stats = generator.generate(tokens, options, false, piece -> {
                            answer.append(piece);
                            print(piece);
                        }, () -> cancelLocal);
                    } finally {
                        generatingLocal = false;
                    }
                    out.println();
                    out.println();
                    history.add(ChatMessage.assistant(answer.toString()));
                    if (verbose) summary(stats, System.nanoTime() - start, 0);
                } catch (GenerationException | TemplateException e) {
                    history.removeLast();
                    err.println("Error: " + e.getMessage());
                }
            }
        }

        /** Drops the oldest non-system messages (never the last) until the rendered prompt fits the context. */
        private int[] fitHistory(List<ChatMessage> history) throws TemplateException {
            int[] tokens = prompts.chat(history);
            while (tokens.length > contextLength) {
                int oldest = -1;
                for (int i = 0; i < history.size() - 1; i++) {
                    if (!"system".equals(history.get(i).role())) {
                        oldest = i;
                        break;
                    }
                }
                if (oldest < 0) break; // only the last message left: the generator reports the overflow
                history.remove(oldest);
                tokens = prompts.chat(history);
            }
            return tokens;
        }

        private String multiLine(String first, BufferedReader reader) throws IOException {
            StringBuilder sb = new StringBuilder();
            String line = first;
            while (true) {
                int end = line.indexOf("\"\"\"");
                if (end >= 0) {
                    sb.append(line, 0, end);
                    return sb.toString().strip();
                }
                sb.append(line).append('\n');
                out.print("... ");
                out.flush();
                line = reader.readLine();
                if (line == null) return null;
            }
        }

        /** Runs a slash command; false means quit. */
        private boolean command(String text, List<ChatMessage> history) {
            String[] parts = text.split("\\s+");
            switch (parts[0]) {
                case "/bye", "/exit" -> {
                    return false;
                }
                case "/clear" -> {
                    history.removeIf(m -> !"system".equals(m.role()));
                    out.println("Cleared session context");
                }
                case "/?", "/help" -> out.println("""
                        Available Commands:
                          /set parameter NAME VALUE   Set a sampling parameter (e.g. temperature, top_k, seed, stop)
                          /set verbose | quiet        Show or hide timings
                          /clear                      Clear the session context
                          /bye                        Exit
                          /?, /help                   Help for a command

                        Use \"\"\" to begin a multi-line message.
                        """);
                case "/set" -> set(parts);
                default -> out.println("Unknown command '" + parts[0] + "'. Type /? for help");
            }
            return true;
        }

        private void set(String[] parts) {
            if (parts.length == 2 && parts[1].equals("verbose")) {
                verbose = true;
                out.println("Set 'verbose' mode.");
            } else if (parts.length == 2 && parts[1].equals("quiet")) {
                verbose = false;
                out.println("Set 'quiet' mode.");
            } else if (parts.length >= 4 && parts[1].equals("parameter")) {
                String name = parts[2];
                List<String> values = List.of(parts).subList(3, parts.length);
                Object value = name.equals("stop") ? values : String.join(" ", values);
                try {
                    int ctxBefore = options.numCtx();
                    options = options.with(Map.of(name, value));
                    if (options.numCtx() != ctxBefore) newContext();
                    out.println("Set parameter '" + name + "' to '" + String.join(", ", values) + "'");
                } catch (InvalidOptionException e) {
                    err.println("Error: " + e.getMessage());
                }
            } else {
                out.println("Usage: /set parameter NAME VALUE | /set verbose | /set quiet");
            }
        }

        /** Ollama's {@code --verbose} summary: non-zero lines only. */
        private void summary(GenerationStats s, long totalNanos, long loadNanos) {
            line("total duration:", GoDuration.format(totalNanos), totalNanos);
            line("load duration:", GoDuration.format(loadNanos), loadNanos);
            line("prompt eval count:", s.promptEvalCount() + " token(s)", s.promptEvalCount());
            line("prompt eval duration:", GoDuration.format(s.promptEvalNanos()), s.promptEvalNanos());
            line("prompt eval rate:", String.format(java.util.Locale.ROOT, "%.2f tokens/s", s.promptEvalRate()),
                    s.promptEvalRate() > 0 ? 1 : 0);
            line("eval count:", s.evalCount() + " token(s)", s.evalCount());
            line("eval duration:", GoDuration.format(s.evalNanos()), s.evalNanos());
            line("eval rate:", String.format(java.util.Locale.ROOT, "%.2f tokens/s", s.evalRate()), s.evalRate() > 0 ? 1 : 0);
        }

        private void line(String label, String value, long nonZero) {
            if (nonZero != 0) err.printf("%-22s%s%n", label, value);
        }
    }
}
