package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.testkit.SharedData;

/** The packaged CLI's local verbs as a subprocess: exit codes and outputs. */
class CliIT {
    @TempDir
    Path dir;

    @Test
    void versionAndUnknownVerb() throws Exception {
        Cli.Result v = Cli.run(dir, Map.of(), "--version");
        assertEquals(0, v.exit(), v.toString());
        assertTrue(v.out().startsWith("mbllm "), v.toString());
        Cli.Result bad = Cli.run(dir, Map.of(), "nosuchverb");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("nosuchverb"), bad.toString());
    }

    @Test
    void runOnAFileIsRunCsGreedyText() throws Exception {
        String file = Files.readString(SharedData.require("models/stories260K.expected.once-upon-a-time.n64.txt"), StandardCharsets.UTF_8);
        Cli.Result r = Cli.run(dir, Map.of(), "run", TestModels.stories().toString(), "--raw", "--temperature", "0",
                "--num-predict", "60", "Once", "upon", "a", "time");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(file.substring("Once upon a time".length()), r.out());
    }

    @Test
    void runOnAMissingFileIsAnError() throws Exception {
        Path missing = dir.resolve("missing.gguf");
        Cli.Result r = Cli.run(dir, Map.of(), "run", missing.toString(), "hi");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("Error: "), r.toString());
        assertTrue(r.err().contains(missing.toString()), r.toString());
        assertEquals("", r.out());
    }

    @Test
    void serveOnATakenPortFailsCleanly() throws Exception {
        try (ServerProcess s = ServerProcess.start(dir.resolve("models"))) {
            Cli.Result r = Cli.run(dir, Map.of("MBLLM_HOST", "127.0.0.1:" + s.port(), "MBLLM_MODELS", dir.resolve("other").toString()),
                    "serve");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("Error: listen tcp 127.0.0.1:" + s.port()), r.toString());
            assertTrue(s.isAlive(), "the first server is unaffected");
            assertEquals(200, s.get("/api/tags").statusCode());
        }
    }

    @Test
    void serveHelpListsTheEnvironment() throws Exception {
        Cli.Result r = Cli.run(dir, Map.of(), "serve", "--help");
        assertEquals(0, r.exit(), r.toString());
        for (String v : new String[] {"MBLLM_HOST", "MBLLM_MODELS", "MBLLM_KEEP_ALIVE", "MBLLM_NUM_PARALLEL", "MBLLM_MAX_QUEUE"}) {
            assertTrue(r.out().contains(v), v + " in\n" + r.out());
        }
    }
}
