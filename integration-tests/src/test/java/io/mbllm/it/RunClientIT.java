package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mbllm run MODEL} (the packaged CLI) against the packaged server, on a model created through the API. */
class RunClientIT {
    @TempDir
    static Path dir;
    static Fixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = Fixture.start(dir);
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    @Test
    void oneShotPromptStreamsRunCsText() throws Exception {
        Cli.Result r = Cli.run(dir, fx.server.clientEnv(), "run", "stories", "--temperature", "0", "--num-predict", "60",
                "--verbose", "Once", "upon", "a", "time");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(TestModels.onceUponATime60() + "\n", r.out(), r.toString());
        assertTrue(r.err().contains("eval count:           60 token(s)"), r.toString());
        assertTrue(r.err().contains("eval rate:"), r.toString());
    }

    @Test
    void unknownModelIsOllamasError() throws Exception {
        Cli.Result r = Cli.run(dir, fx.server.clientEnv(), "run", "nosuch", "hi");
        assertEquals(1, r.exit(), r.toString());
        assertEquals("Error: model 'nosuch' not found\n", r.err(), r.toString());
    }
}
