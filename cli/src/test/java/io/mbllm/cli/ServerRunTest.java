package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.cli.FakeServer.Reply;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code mbllm run MODEL} against a scripted server: requests, streamed output, REPL commands, cancel, errors. */
class ServerRunTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SHOW = """
            {"modelfile":"FROM /x\\nPARAMETER temperature 0.2","parameters":"temperature 0.2","template":"{{ .Prompt }}",
             "system":"be kind","details":{"format":"gguf","family":"llama"},"model_info":{"general.architecture":"llama"}}""";
    static final String DONE = "{\"done\":true,\"done_reason\":\"stop\",\"total_duration\":1500000000,"
            + "\"load_duration\":12000000,\"prompt_eval_count\":4,\"prompt_eval_duration\":20000000,"
            + "\"eval_count\":2,\"eval_duration\":1000000000}";

    FakeServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer();
        server.on("POST /api/show", r -> JSON.readTree(r.body()).path("model").asText().equals("stories:q4")
                ? Reply.json(200, SHOW) : Reply.json(404, "{\"error\":\"model '" + JSON.readTree(r.body()).path("model").asText() + "' not found\"}"));
        server.on("POST /api/generate", r -> JSON.readTree(r.body()).has("prompt")
                ? Reply.ndjson("{\"response\":\"Once\",\"done\":false}", "{\"response\":\" upon\",\"done\":false}", DONE)
                : Reply.ndjson("{\"done\":true,\"done_reason\":\"load\"}"));
        server.on("POST /api/chat", r -> {
            int turn = JSON.readTree(r.body()).path("messages").size();
            return Reply.ndjson("{\"message\":{\"role\":\"assistant\",\"content\":\"A\"},\"done\":false}",
                    "{\"message\":{\"role\":\"assistant\",\"content\":\"" + turn + "\"},\"done\":false}",
                    "{\"message\":{\"role\":\"assistant\",\"content\":\"\"}," + DONE.substring(1));
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    record Result(int exit, String out, String err) {}

    Result run(String stdin, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        RunCommand cmd = new RunCommand(f -> {
            throw new AssertionError("no local file expected: " + f);
        }, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> terminal, Map.of("MBLLM_HOST", "127.0.0.1:" + server.port()));
        int exit = new CommandLine(cmd).execute(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<JsonNode> bodies(String path) throws Exception {
        List<JsonNode> l = new java.util.ArrayList<>();
        for (FakeServer.Request r : server.calls()) if (r.path().equals(path)) l.add(JSON.readTree(r.body()));
        return l;
    }

    @Test
    void oneShotStreamsGenerateWithOptionsAndVerboseTimings() throws Exception {
        Result r = run("", true, "stories:q4", "--temperature", "0", "--num-predict", "5", "--stop", "x",
                "--keepalive", "1m", "--verbose", "Once", "upon");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Once upon\n", r.out());
        assertEquals("""
                total duration:       1.5s
                load duration:        12ms
                prompt eval count:    4 token(s)
                prompt eval duration: 20ms
                prompt eval rate:     200.00 tokens/s
                eval count:           2 token(s)
                eval duration:        1s
                eval rate:            2.00 tokens/s
                """, r.err());
        assertEquals(List.of("POST /api/show", "POST /api/generate"), server.calls().stream().map(Object::toString).toList());
        JsonNode g = bodies("/api/generate").getFirst();
        assertEquals("stories:q4", g.path("model").asText());
        assertEquals("Once upon", g.path("prompt").asText());
        assertTrue(g.path("stream").asBoolean());
        assertEquals("1m", g.path("keep_alive").asText());
        assertEquals(0.0, g.path("options").path("temperature").asDouble());
        assertEquals(5, g.path("options").path("num_predict").asInt());
        assertEquals("x", g.path("options").path("stop").get(0).asText());
    }

    @Test
    void pipedStdinIsPrependedToTheArguments() throws Exception {
        Result r = run("a story\n", false, "stories:q4", "tell");
        assertEquals(0, r.exit(), r.err());
        assertEquals("a story\n tell", bodies("/api/generate").getFirst().path("prompt").asText());
    }

    @Test
    void missingModelIsAnErrorBeforeAnyGenerate() throws Exception {
        Result r = run("", true, "nosuch", "hi");
        assertEquals(1, r.exit());
        assertEquals("Error: model 'nosuch' not found\n", r.err());
        assertEquals(List.of(), bodies("/api/generate"));
    }

    @Test
    void noServerIsOllamasConnectError() {
        int port = server.port();
        server.close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunCommand cmd = new RunCommand(f -> null, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> true, Map.of("MBLLM_HOST", "127.0.0.1:" + port));
        assertEquals(1, new CommandLine(cmd).execute("stories:q4", "hi"));
        assertEquals("Error: " + ApiException.NOT_RUNNING + "\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void chatKeepsHistorySystemAndParameters() throws Exception {
        Result r = run("""
                hello
                /set system be brief
                /set parameter temperature 0.5
                /set parameter stop a b
                \"\"\"two
                lines\"\"\"
                /show system
                /show template
                /show parameters
                /clear
                third
                /bye
                never sent
                """, true, "stories:q4");
        assertEquals(0, r.exit(), r.err());
        // load with an empty generate first, then one chat per turn
        assertEquals(1, bodies("/api/generate").size());
        assertFalse(bodies("/api/generate").getFirst().has("prompt"));
        List<JsonNode> chats = bodies("/api/chat");
        assertEquals(3, chats.size());
        assertEquals("[{\"role\":\"system\",\"content\":\"be kind\"},{\"role\":\"user\",\"content\":\"hello\"}]",
                chats.get(0).path("messages").toString());
        assertEquals("[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hello\"},"
                + "{\"role\":\"assistant\",\"content\":\"A2\"},{\"role\":\"user\",\"content\":\"two\\nlines\"}]",
                chats.get(1).path("messages").toString());
        assertEquals(0.5, chats.get(1).path("options").path("temperature").asDouble());
        assertEquals("[\"a\",\"b\"]", chats.get(1).path("options").path("stop").toString());
        assertEquals("[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"third\"}]",
                chats.get(2).path("messages").toString(), "/clear drops the turns, keeps the system message");
        String out = r.out();
        assertTrue(out.startsWith(">>> A2\n\n>>> Set system message.\n>>> Set parameter 'temperature' to '0.5'\n"), out);
        assertTrue(out.contains("... A4\n\n"), out);
        assertTrue(out.contains(">>> be brief\n>>> {{ .Prompt }}\n>>> Model defined parameters:\ntemperature 0.2\n"
                + "User defined parameters:\n"), out);
        assertTrue(out.contains("Cleared session context\n>>> A2\n\n>>> "), out);
        assertFalse(out.contains("never"), out);
    }

    @Test
    void helpAndUnknownCommands() {
        Result r = run("/?\n/frob\n/show info\n", true, "stories:q4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("/set system TEXT"), r.out());
        assertTrue(r.out().contains("Unknown command '/frob'. Type /? for help"), r.out());
        assertTrue(r.out().contains("architecture"), r.out());
        assertTrue(r.out().endsWith(">>> \n"), "Ctrl-D (end of input) exits: " + r.out());
    }

    @Test
    void cancelStopsTheAnswerDropsTheTurnAndTheChatGoesOn() throws Exception {
        AtomicReference<ServerRun> ref = new AtomicReference<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // the cancel hook Ctrl-C calls, pulled as soon as the first token is printed
        PrintStream out = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
                if (b == 'A' && bytes.toString(StandardCharsets.UTF_8).endsWith(">>> A")) {
                    assertTrue(ref.get().cancelAnswer());
                }
            }
        }, true, StandardCharsets.UTF_8);
        ServerRun run = new ServerRun(new ApiClient(URI.create("http://127.0.0.1:" + server.port())), "stories:q4",
                Map.of(), null, null, false, out, new PrintStream(new ByteArrayOutputStream()));
        ref.set(run);
        assertFalse(run.cancelAnswer(), "nothing streams at the prompt: the caller prints the exit hint");
        run.chat(new BufferedReader(new StringReader("first\nsecond\n")), JSON.readTree("{}"));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(">>> A\n\n>>> A\n\n>>> \n", text, "each answer stops after its first token");
        List<JsonNode> chats = bodies("/api/chat");
        assertEquals(2, chats.size());
        assertEquals("[{\"role\":\"user\",\"content\":\"second\"}]", chats.get(1).path("messages").toString(),
                "the cancelled turn is not in the history");
    }

    @Test
    void ctrlCAtThePromptPrintsOllamasHintAndCtrlDExits() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        java.util.Iterator<String> lines = java.util.Arrays.asList("hi", "^C", "\"\"\"half", "^C", "again", null).iterator();
        LineInput input = prompt -> {
            out.print(prompt);
            String l = lines.next();
            if ("^C".equals(l)) throw new LineInput.Interrupted();
            return l;
        };
        ServerRun run = new ServerRun(new ApiClient(URI.create("http://127.0.0.1:" + server.port())), "stories:q4",
                Map.of(), null, null, false, out, new PrintStream(new ByteArrayOutputStream()));
        run.chat(input, JSON.readTree("{}"));
        assertEquals(">>> A1\n\n>>> \nUse Ctrl + d or /bye to exit.\n\n>>> ... >>> A3\n\n>>> \n",
                bytes.toString(StandardCharsets.UTF_8), "Ctrl-C in a multi-line message drops it; Ctrl-D exits");
        assertEquals(2, bodies("/api/chat").size());
    }

    @Test
    void localFilesKeepTheDirectMode() {
        assertTrue(RunCommand.isLocalFile("models/x.gguf"));
        assertTrue(RunCommand.isLocalFile("X.GGUF"));
        assertFalse(RunCommand.isLocalFile("stories:q4"));
        assertFalse(RunCommand.isLocalFile("library/stories"));
    }
}
