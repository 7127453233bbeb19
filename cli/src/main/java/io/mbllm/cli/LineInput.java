package io.mbllm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Where the interactive {@code run} reads its lines: a JLine editor on a terminal (history, line editing,
 * Ctrl-C), or plain lines from a reader (piped input, tests).
 */
interface LineInput extends AutoCloseable {
    /** Ctrl-C at the prompt: the line is dropped. */
    final class Interrupted extends Exception {
        Interrupted() {
            super("interrupted", null, false, false);
        }
    }

    /** Shows {@code prompt} and reads one line; null at end of input (Ctrl-D). */
    String readLine(String prompt) throws IOException, Interrupted;

    @Override
    default void close() {
    }

    /** Lines from {@code reader}, the prompt printed to {@code out}. */
    record Plain(BufferedReader reader, PrintStream out) implements LineInput {
        @Override
        public String readLine(String prompt) throws IOException {
            out.print(prompt);
            out.flush();
            return reader.readLine();
        }
    }
}
