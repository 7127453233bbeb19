package io.mbllm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code mbllm run MODEL} against the server (cli.md §run): checks the model with {@code /api/show}, answers a
 * one-shot prompt with a streamed {@code /api/generate}, or runs the interactive chat, each turn a streamed
 * {@code /api/chat} carrying the whole history. Tokens are printed as they arrive; {@code --verbose} prints the
 * timing block of the final response to stderr. {@link #cancelAnswer()} (Ctrl-C) stops the answer being streamed
 * and returns to the prompt.
 */
final class ServerRun {
    /** Ollama's hint for Ctrl-C at an empty prompt. */
    static final String EXIT_HINT = "Use Ctrl + d or /bye to exit.";

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final ApiClient client;
    private final String model;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, Object> options;
    private final String format;
    private final String keepAlive;
    private boolean verbose;
    private String system;
    private volatile ApiClient.Cancel current;

    ServerRun(ApiClient client, String model, Map<String, Object> options, String format, String keepAlive,
            boolean verbose, PrintStream out, PrintStream err) {
        this.client = client;
        this.model = model;
        this.options = new LinkedHashMap<>(options);
        this.format = format;
        this.keepAlive = keepAlive;
        this.verbose = verbose;
        this.out = out;
        this.err = err;
    }

    /** Stops the answer being streamed; false when none is (the caller then prints {@link #EXIT_HINT}). */
    boolean cancelAnswer() {
        ApiClient.Cancel c = current;
        if (c == null) return false;
        c.cancel();
        return true;
    }

    /** {@code POST /api/show}: fails with the server's message ({@code model 'x' not found}) when it is absent. */
    JsonNode check() throws ApiException, InterruptedException {
        client.heartbeat();
        return client.show(model, false);
    }

    /** One {@code /api/generate} for {@code prompt}, streamed to stdout, then a newline. */
    void once(String prompt) throws ApiException, InterruptedException {
        ObjectNode body = request().put("prompt", prompt);
        JsonNode done = answer("/api/generate", body, n -> n.path("response").asText(""));
        out.println();
        out.flush();
        if (done != null && verbose) summary(done);
    }

    /** The interactive chat: lines from {@code reader} until {@code /bye} or end of input. */
    void chat(BufferedReader reader, JsonNode shown) throws IOException, ApiException, InterruptedException {
        chat(new LineInput.Plain(reader, out), shown);
    }

    /** The interactive chat: lines from {@code input} until {@code /bye} or end of input (Ctrl-D). */
    void chat(LineInput reader, JsonNode shown) throws IOException, ApiException, InterruptedException {
        // load the model first (empty generate), as Ollama does
        client.streamAnswer("/api/generate", request(), n -> { }, new ApiClient.Cancel());
        List<ObjectNode> history = new ArrayList<>();
        for (JsonNode m : shown.path("messages")) {
            history.add(message(m.path("role").asText(), m.path("content").asText()));
            if ("assistant".equals(m.path("role").asText())) {
                out.println(m.path("content").asText());
                out.println();
            }
        }
        system = shown.path("system").asText(null);
        while (true) {
            String line;
            try {
                line = reader.readLine(">>> ");
            } catch (LineInput.Interrupted e) {
                out.println();
                out.println(EXIT_HINT);
                out.println();
                continue;
            }
            if (line == null) {
                out.println();
                return;
            }
            String text = line.strip();
            if (text.startsWith("\"\"\"")) text = multiLine(text.substring(3), reader);
            if (text == null) {
                out.println();
                return;
            }
            if (text.isEmpty()) continue;
            if (text.startsWith("/")) {
                if (!command(text, reader, history, shown)) return;
                continue;
            }
            history.add(message("user", text));
            ObjectNode body = request();
            ArrayNode messages = body.putArray("messages");
            if (system != null && !system.isEmpty()) messages.add(message("system", system));
            history.forEach(messages::add);
            StringBuilder answer = new StringBuilder();
            try {
                JsonNode done = answer("/api/chat", body, n -> {
                    String piece = n.path("message").path("content").asText("");
                    answer.append(piece);
                    return piece;
                });
                out.println();
                out.println();
                if (done == null) {
                    history.removeLast(); // cancelled: the turn is dropped, as Ollama does
                } else {
                    history.add(message("assistant", answer.toString()));
                    if (verbose) summary(done);
                }
            } catch (ApiException e) {
                history.removeLast();
                out.println();
                err.println("Error: " + e.getMessage());
            }
        }
    }

    private interface Piece {
        String of(JsonNode line);
    }

    private JsonNode answer(String path, ObjectNode body, Piece piece) throws ApiException, InterruptedException {
        ApiClient.Cancel cancel = new ApiClient.Cancel();
        current = cancel;
        try {
            return client.streamAnswer(path, body, n -> {
                out.print(piece.of(n));
                out.flush();
            }, cancel);
        } finally {
            current = null;
        }
    }

    private ObjectNode request() {
        ObjectNode body = ApiClient.object().put("model", model);
        if (format != null) body.put("format", format);
        if (keepAlive != null) body.put("keep_alive", keepAlive);
        if (!options.isEmpty()) body.set("options", JSON.valueToTree(options));
        return body;
    }

    private static ObjectNode message(String role, String content) {
        return ApiClient.object().put("role", role).put("content", content);
    }

    private String multiLine(String first, LineInput reader) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line = first;
        while (true) {
            int end = line.indexOf("\"\"\"");
            if (end >= 0) {
                sb.append(line, 0, end);
                return sb.toString().strip();
            }
            sb.append(line).append('\n');
            try {
                line = reader.readLine("... ");
            } catch (LineInput.Interrupted e) {
                return ""; // Ctrl-C drops the message being typed
            }
            if (line == null) return null;
        }
    }

    /** Runs a slash command; false means quit. */
    private boolean command(String text, LineInput reader, List<ObjectNode> history, JsonNode shown)
            throws IOException, ApiException, InterruptedException {
        String[] parts = text.split("\\s+");
        switch (parts[0]) {
            case "/bye", "/exit" -> {
                return false;
            }
            case "/clear" -> {
                history.clear();
                out.println("Cleared session context");
            }
            case "/?", "/help" -> out.println(HELP);
            case "/set" -> set(text, parts, reader);
            case "/show" -> show(parts);
            default -> out.println("Unknown command '" + parts[0] + "'. Type /? for help");
        }
        return true;
    }

    static final String HELP = """
            Available Commands:
              /set parameter NAME VALUE   Set a parameter (e.g. temperature, top_k, seed, num_ctx, stop)
              /set system TEXT            Set the system message (\"\"\" for several lines)
              /set verbose | quiet        Show or hide timings
              /show info|modelfile|parameters|system|template   Show model information
              /clear                      Clear the session context
              /bye                        Exit
              /?, /help                   Help for a command

            Use \"\"\" to begin a multi-line message.
            """;

    private void set(String text, String[] parts, LineInput reader) throws IOException {
        if (parts.length == 2 && parts[1].equals("verbose")) {
            verbose = true;
            out.println("Set 'verbose' mode.");
        } else if (parts.length == 2 && parts[1].equals("quiet")) {
            verbose = false;
            out.println("Set 'quiet' mode.");
        } else if (parts.length >= 2 && parts[1].equals("system")) {
            String rest = text.strip().substring("/set".length()).strip().substring("system".length()).strip();
            if (rest.startsWith("\"\"\"")) {
                rest = multiLine(rest.substring(3), reader);
                if (rest == null) return;
            } else if (rest.length() >= 2 && rest.startsWith("\"") && rest.endsWith("\"")) {
                rest = rest.substring(1, rest.length() - 1);
            }
            system = rest;
            out.println("Set system message.");
        } else if (parts.length >= 4 && parts[1].equals("parameter")) {
            String name = parts[2];
            List<String> values = List.of(parts).subList(3, parts.length);
            options.put(name, name.equals("stop") ? values : typed(String.join(" ", values)));
            out.println("Set parameter '" + name + "' to '" + String.join(", ", values) + "'");
        } else {
            out.println("Usage: /set parameter NAME VALUE | /set system TEXT | /set verbose | /set quiet");
        }
    }

    /** A parameter value as JSON wants it: integer, number, boolean or text (the server checks the name and type). */
    static Object typed(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException notInt) {
            // next
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException notNumber) {
            // next
        }
        if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
        return v;
    }

    private void show(String[] parts) throws ApiException, InterruptedException {
        if (parts.length != 2) {
            out.println("Usage: /show info|modelfile|parameters|system|template");
            return;
        }
        JsonNode r = client.show(model, false);
        switch (parts[1]) {
            case "info" -> ShowCommand.print(r, false, out);
            case "modelfile" -> out.println(r.path("modelfile").asText(""));
            case "parameters" -> {
                String p = r.path("parameters").asText("");
                StringBuilder sb = new StringBuilder(p.isEmpty() ? "" : "Model defined parameters:\n" + p + "\n");
                if (!options.isEmpty()) {
                    sb.append("User defined parameters:\n");
                    options.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%-30s %s%n", k, v)));
                }
                out.println(sb.isEmpty() ? "No parameters were specified for this model." : sb.toString().stripTrailing());
            }
            case "system" -> {
                String s = system != null ? system : r.path("system").asText("");
                out.println(s.isEmpty() ? "No system message was specified for this model." : s);
            }
            case "template" -> {
                String t = r.path("template").asText("");
                out.println(t.isEmpty() ? "No prompt template was specified for this model." : t);
            }
            default -> out.println("Unknown command '/show " + parts[1] + "'. Type /? for help");
        }
    }

    /** Ollama's {@code --verbose} block from a final response (durations in nanoseconds): non-zero lines only. */
    void summary(JsonNode done) {
        long total = done.path("total_duration").asLong(), load = done.path("load_duration").asLong();
        long pc = done.path("prompt_eval_count").asLong(), pd = done.path("prompt_eval_duration").asLong();
        long ec = done.path("eval_count").asLong(), ed = done.path("eval_duration").asLong();
        line("total duration:", GoDuration.format(total), total);
        line("load duration:", GoDuration.format(load), load);
        line("prompt eval count:", pc + " token(s)", pc);
        line("prompt eval duration:", GoDuration.format(pd), pd);
        line("prompt eval rate:", rate(pc, pd), pc > 0 && pd > 0 ? 1 : 0);
        line("eval count:", ec + " token(s)", ec);
        line("eval duration:", GoDuration.format(ed), ed);
        line("eval rate:", rate(ec, ed), ec > 0 && ed > 0 ? 1 : 0);
    }

    private static String rate(long count, long nanos) {
        return String.format(Locale.ROOT, "%.2f tokens/s", nanos > 0 ? count * 1e9 / nanos : 0.0);
    }

    private void line(String label, String value, long nonZero) {
        if (nonZero != 0) err.printf("%-22s%s%n", label, value);
    }
}
