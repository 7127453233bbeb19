package io.mbllm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The terminal line editor of the interactive {@code run} (JLine): Emacs keys, history kept in
 * {@code ~/.mbllm/history} unless {@code MBLLM_NOHISTORY}/{@code OLLAMA_NOHISTORY} is set. Ctrl-C at the prompt
 * is {@link LineInput.Interrupted}; Ctrl-C while no line is read (an answer streams) runs the given action.
 */
final class JLineInput implements LineInput {
    private final Terminal terminal;
    private final LineReader reader;

    private JLineInput(Terminal terminal, LineReader reader) {
        this.terminal = terminal;
        this.reader = reader;
    }

    /** Opens the system terminal; {@code onCtrlC} runs for Ctrl-C outside {@link #readLine}. */
    static JLineInput open(Map<String, String> env, Runnable onCtrlC) throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).build();
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
        if (env.get("MBLLM_NOHISTORY") == null && env.get("OLLAMA_NOHISTORY") == null) {
            Path home = Path.of(System.getProperty("user.home"), ".mbllm");
            Files.createDirectories(home);
            b.variable(LineReader.HISTORY_FILE, home.resolve("history"));
        }
        terminal.handle(Terminal.Signal.INT, s -> onCtrlC.run());
        return new JLineInput(terminal, b.build());
    }

    @Override
    public String readLine(String prompt) throws Interrupted {
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException e) {
            throw new Interrupted();
        } catch (EndOfFileException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException ignored) {
            // the terminal is restored as far as it can be
        }
    }
}
