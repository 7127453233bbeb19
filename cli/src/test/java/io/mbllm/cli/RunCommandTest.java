package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.generate.LogitSource;
import io.mbllm.engine.generate.TokenDecoder;
import picocli.CommandLine;

/** {@code mbllm run} over a fake letter model: flags, output, chat loop, history, errors. */
class RunCommandTest {
    /**
     * Letters a..z plus '\n' (26) and an end token (27). The logits after token t favour t+1, and '.' — no
     * letter — is not in the vocabulary. Text encodes letter by letter; unknown characters are skipped.
     */
    static final class LetterModel implements LocalModel {
        final String template;
        final List<int[]> prompts = new ArrayList<>();
        final List<Integer> evaluatedFrom = new ArrayList<>();
        final List<Integer> contexts = new ArrayList<>();
        boolean closed;

        LetterModel(String template) {
            this.template = template;
        }

        @Override public int trainedContextLength() { return 64; }

        @Override
        public LogitSource newSequence(int numCtx) {
            contexts.add(numCtx);
            return new LogitSource() {
                int pos;
                final float[] logits = new float[28];
                @Override public int vocabSize() { return 28; }
                @Override public int contextLength() { return numCtx; }
                @Override public int position() { return pos; }
                @Override public void rewind(int p) { pos = p; }
                @Override public float[] evaluate(int[] t, int from, int count) {
                    prompts.add(Arrays.copyOf(t, t.length));
                    evaluatedFrom.add(from);
                    pos += count;
                    return next(t[from + count - 1]);
                }
                @Override public float[] step(int token) { pos++; return next(token); }
                private float[] next(int last) {
                    Arrays.fill(logits, 0f);
                    logits[last == 'z' - 'a' ? 27 : Math.min(last + 1, 27)] = 20f;
                    return logits;
                }
            };
        }

        @Override
        public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
            return text.chars().filter(c -> c >= 'a' && c <= 'z' || c == '\n').map(c -> c == '\n' ? 26 : c - 'a').toArray();
        }

        @Override
        public TokenDecoder newDecoder(int[] prompt) {
            return new TokenDecoder() {
                @Override public String decode(int token) { return token == 26 ? "\n" : String.valueOf((char) ('a' + token)); }
                @Override public String flush() { return ""; }
            };
        }

        @Override public IntPredicate endOfGeneration() { return t -> t == 27; }
        @Override public Optional<String> chatTemplate() { return Optional.ofNullable(template); }
        @Override public String bosText() { return ""; }
        @Override public String eosText() { return ""; }
        @Override public boolean addsBos() { return false; }
        @Override public void close() { closed = true; }
    }

    record Result(int exit, String out, String err) {}

    static Result run(LetterModel model, String stdin, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        RunCommand cmd = new RunCommand(file -> {
            if (file.toString().equals("missing.gguf")) throw new java.nio.file.NoSuchFileException("missing.gguf");
            return model;
        }, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> terminal);
        int exit = new CommandLine(cmd).execute(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void oneShotStreamsTheAnswerAndAFinalNewline() {
        LetterModel m = new LetterModel(null);
        Result r = run(m, "", true, "m.gguf", "--raw", "--temperature", "0", "u", "v");
        assertEquals(0, r.exit(), r.err());
        assertEquals("wxyz\n", r.out(), "continues after 'v' until the end token");
        assertEquals("", r.err());
        assertTrue(m.closed);
        assertEquals(List.of(64), m.contexts, "num_ctx 4096 capped at the model's 64");
    }

    @Test
    void numPredictAndStopFlags() {
        assertEquals("bc\n", run(new LetterModel(null), "", true, "m.gguf", "--temperature", "0", "--num-predict", "2", "a").out());
        assertEquals("bcd\n", run(new LetterModel(null), "", true, "m.gguf", "--temperature", "0", "--stop", "ef", "a").out());
    }

    @Test
    void pipedStdinIsThePromptBeforeTheArguments() {
        LetterModel m = new LetterModel(null);
        Result r = run(m, "ab", false, "m.gguf", "--temperature", "0", "--num-predict", "1", "x");
        assertEquals("y\n", r.out());
        assertArrayEquals(new int[] {0, 1, 23}, m.prompts.getFirst());
    }

    private static void assertArrayEquals(int[] expected, int[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
    }

    @Test
    void chatTemplateFormatsThePromptUnlessRaw() {
        String template = "{% for m in messages %}{{ m.role[0] }}:{{ m.content }}\n{% endfor %}"
                + "{% if add_generation_prompt %}a:{% endif %}";
        LetterModel m = new LetterModel(template);
        run(m, "", true, "m.gguf", "--temperature", "0", "--num-predict", "1", "hi");
        // "u:hi\na:" → letters u, h, i, newline, a
        assertArrayEquals(new int[] {20, 7, 8, 26, 0}, m.prompts.getFirst());
        LetterModel raw = new LetterModel(template);
        run(raw, "", true, "m.gguf", "--raw", "--temperature", "0", "--num-predict", "1", "hi");
        assertArrayEquals(new int[] {7, 8}, raw.prompts.getFirst());
    }

    @Test
    void interactiveChatKeepsHistoryUntilBye() {
        String template = "{% for m in messages %}{{ m.content }}{% endfor %}";
        LetterModel m = new LetterModel(template);
        Result r = run(m, "wx\n\n/set parameter num_predict 1\nb\n/bye\nnever\n", true, "m.gguf", "--temperature", "0");
        assertEquals(0, r.exit(), r.err());
        assertEquals(">>> yz\n\n>>> >>> Set parameter 'num_predict' to '1'\n>>> c\n\n>>> ", r.out());
        assertEquals(List.of(0, 4), m.evaluatedFrom, "turn 2 evaluates only what follows the cached 'wxyz'");
        // turn 2 renders the whole history: "wx" + "yz" + "b"
        assertArrayEquals(new int[] {22, 23, 24, 25, 1}, m.prompts.getLast());
    }

    @Test
    void slashCommands() {
        Result r = run(new LetterModel(null), "/nope\n/set verbose\n/clear\n/set parameter top_p 7\n/exit\n", true,
                "m.gguf");
        assertTrue(r.out().contains("Unknown command '/nope'. Type /? for help"), r.out());
        assertTrue(r.out().contains("Set 'verbose' mode."));
        assertTrue(r.out().contains("Cleared session context"));
        assertTrue(r.err().contains("Error: invalid option \"top_p\": must be between 0 and 1, got 7.0"), r.err());
        assertEquals(0, r.exit());
    }

    @Test
    void endOfInputEndsTheChat() {
        Result r = run(new LetterModel(null), "", true, "m.gguf");
        assertEquals(0, r.exit());
        assertEquals(">>> \n", r.out());
    }

    @Test
    void verbosePrintsOllamasSummaryToStderr() {
        Result r = run(new LetterModel(null), "", true, "m.gguf", "--verbose", "--temperature", "0", "x");
        assertEquals("yz\n", r.out());
        List<String> labels = r.err().lines().map(l -> l.substring(0, 22).strip()).toList();
        assertTrue(labels.containsAll(List.of("total duration:", "prompt eval count:", "prompt eval duration:",
                "eval count:", "eval duration:", "eval rate:")), r.err());
        assertTrue(r.err().contains("prompt eval count:    1 token(s)\n"), r.err());
        assertTrue(r.err().contains("eval count:           3 token(s)\n"), r.err());
        assertTrue(r.err().lines().filter(l -> l.startsWith("eval rate:")).allMatch(l -> l.matches("eval rate: +\\d+\\.\\d\\d tokens/s")), r.err());
    }

    @Test
    void errorsPrintErrorAndExitOne() {
        Result bad = run(new LetterModel(null), "", true, "m.gguf", "--top-p", "2", "x");
        assertEquals(1, bad.exit());
        assertEquals("Error: invalid option \"top_p\": must be between 0 and 1, got 2.0\n", bad.err());
        Result missing = run(new LetterModel(null), "", true, "missing.gguf", "x");
        assertEquals(1, missing.exit());
        assertEquals("Error: open missing.gguf: no such file or directory\n", missing.err());
        Result empty = run(new LetterModel(null), "", false, "m.gguf", "--raw", "...");
        assertEquals(1, empty.exit());
        assertTrue(empty.err().contains("empty prompt"), empty.err());
    }

    @Test
    void registeredInMain() {
        assertTrue(Main.commandLine().getSubcommands().containsKey("run"));
        assertEquals("x.gguf", CommandLine.populateCommand(new RunCommand(), "x.gguf").model);
    }
}
