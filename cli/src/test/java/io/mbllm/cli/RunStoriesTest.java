package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.mbllm.testkit.SharedData;
import picocli.CommandLine;

/**
 * {@code mbllm run} on the real stories260K GGUF against llama2.c's outputs (shared/models/README.md).
 *
 * <p>Deriving the expectation: {@code stories260K.expected.once-upon-a-time.n64.txt} is run.c's stdout for
 * {@code -n 64 -i "Once upon a time"}: run.c echoes the 4 prompt tokens, generates 60 (positions 4..63 of a
 * 64-position run) and ends with a newline; the README's cross-check says the same text is llama.cpp's
 * {@code -n 60}. {@code mbllm run --raw} prints only the generated text, then a newline, so
 * {@code --num-predict 60} must print the file minus its leading {@code Once upon a time}. Greedy decoding
 * from BOS produces "Once upon a time" first, so the 200-step trace ({@code greedy_n200}) continues the same
 * sequence: {@code --num-predict 64} adds the pieces of positions 64..67 of that trace ("'s mom said").
 */
class RunStoriesTest {
    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        RunCommand cmd = new RunCommand(GgufLocalModel::open, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> true);
        int exit = new CommandLine(cmd).execute(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String gguf() {
        return SharedData.require("models/stories260K.gguf").toString();
    }

    static String read(String shared) throws Exception {
        return Files.readString(SharedData.require(shared), StandardCharsets.UTF_8);
    }

    /** Pieces of the greedy_n200 trace's "next" tokens at positions [from, to), unescaped. */
    static String tracePieces(int from, int to) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(SharedData.require("models/stories260K.expected.tokens.tsv"))) {
            String[] f = line.split("\t", -1);
            if (!f[0].equals("greedy_n200")) continue;
            int pos = Integer.parseInt(f[1]);
            if (pos < from || pos >= to) continue;
            String piece = f[7];
            sb.append(piece.equals("<0x0A>") ? "\n" : piece.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\"));
        }
        return sb.toString();
    }

    @Test
    void greedy60MatchesRunCMinusThePrompt() throws Exception {
        String file = read("models/stories260K.expected.once-upon-a-time.n64.txt");
        String prompt = "Once upon a time";
        assertTrue(file.startsWith(prompt));
        Result r = run(gguf(), "--raw", "--temperature", "0", "--num-predict", "60", prompt);
        assertEquals(0, r.exit(), r.err());
        assertEquals(file.substring(prompt.length()), r.out());
    }

    @Test
    void greedy64ContinuesWithTheTrace() throws Exception {
        String file = read("models/stories260K.expected.once-upon-a-time.n64.txt");
        String prompt = "Once upon a time";
        String continuation = file.substring(prompt.length(), file.length() - 1) + tracePieces(64, 68);
        assertEquals(", there was a little girl named Lily. She loved to play outside in the park. One day, she saw"
                + " a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said", continuation);
        assertTrue(read("models/stories260K.expected.txt").startsWith(prompt + continuation), "agrees with the 200-step run");
        Result r = run(gguf(), "--raw", "--temperature", "0", "--num-predict", "64", prompt);
        assertEquals(0, r.exit(), r.err());
        assertEquals(continuation + "\n", r.out());
    }

    @Test
    void seededSamplingIsReproducible() {
        Result a = run(gguf(), "--raw", "--seed", "7", "--num-predict", "40", "Once upon a time");
        Result b = run(gguf(), "--raw", "--seed", "7", "--num-predict", "40", "Once upon a time");
        Result c = run(gguf(), "--raw", "--seed", "8", "--num-predict", "40", "Once upon a time");
        assertEquals(0, a.exit(), a.err());
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertTrue(a.out().length() > 40, a.out());
    }

    @Test
    void verboseReportsTheCounts() {
        Result r = run(gguf(), "--raw", "--temperature", "0", "--num-predict", "8", "--verbose", "Lily");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("eval count:           8 token(s)"), r.err());
        assertTrue(r.err().contains("prompt eval count:    2 token(s)"), r.err()); // BOS + "Lily"
    }
}
