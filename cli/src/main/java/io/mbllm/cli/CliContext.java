package io.mbllm.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a client verb runs against: the environment (server address), output streams, clock, working
 * directory and whether stderr is a terminal. Tests pass their own.
 *
 * @param env env variables ({@code MBLLM_HOST}, {@code OLLAMA_HOST})
 * @param out model output and tables
 * @param err progress and errors
 * @param now the clock for relative times
 * @param cwd the directory {@code ./Modelfile} is looked up in
 * @param tty true to redraw progress in place
 */
public record CliContext(Map<String, String> env, PrintStream out, PrintStream err, Supplier<Instant> now, Path cwd,
        boolean tty) {

    /** The process's own environment and streams. */
    public static CliContext system() {
        java.io.Console c = System.console();
        return new CliContext(System.getenv(), new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), Instant::now,
                Path.of("").toAbsolutePath(), c != null && c.isTerminal());
    }
}
