package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.server.http.BindAddress;
import io.mbllm.server.http.MbllmServer;
import io.mbllm.server.http.ServerConfig;
import io.mbllm.server.sched.StoreModelResolver;
import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.StoredModel;
import io.mbllm.testkit.SharedData;
import picocli.CommandLine;

/**
 * {@code mbllm heal} end to end on stories260K (a short run: the halving itself is HealStoriesTest's): the report,
 * the adapter file, {@code --create} through a real server on a temporary store, whose model (student + ADAPTER)
 * answers greedily exactly as the student file with the adapter run locally; and the usage errors.
 */
class HealCommandTest {
    @TempDir
    Path dir;
    ModelStore store;
    MbllmServer server;
    Path q2;

    @BeforeEach
    void start() throws Exception {
        store = ModelStore.open(dir.resolve("models"));
        server = MbllmServer.start(ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0)),
                new StoreModelResolver(store));
        q2 = dir.resolve("stories-q2.gguf");
        ModelQuantizer.quantize(SharedData.require("models/stories260K.gguf"), q2, QuantizeOptions.of(FileType.Q2_K), p -> {});
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private FakeServer.Ctx heal(int expectedExit, String... args) {
        FakeServer.Ctx io = new FakeServer.Ctx(Map.of("MBLLM_HOST", "127.0.0.1:" + server.port(),
                "MBLLM_MODELS", dir.resolve("models").toString()), dir);
        assertEquals(expectedExit, new CommandLine(new HealCommand(io.ctx)).execute(args), io.err());
        return io;
    }

    private String runOnServer(String model) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        RunCommand cmd = new RunCommand(GgufLocalModel::open, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                () -> true, Map.of("MBLLM_HOST", "127.0.0.1:" + server.port()));
        int exit = new CommandLine(cmd).execute(model, "--raw", "--temperature", "0", "--num-predict", "48", "Once upon a time");
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void healsReportsAndCreatesAModelThatAnswersLikeStudentPlusAdapter() throws Exception {
        Path f32 = SharedData.require("models/stories260K.gguf");
        FakeServer.Ctx io = heal(0, q2.toString(), "--teacher", f32.toString(), "--generate", "1024", "--seq-len", "64",
                "--batch", "4", "--steps", "8", "--eval-text", SharedData.require("testdata/text/stories.txt").toString(),
                "--eval-ctx", "128", "-t", "2", "--out", "healed.gguf", "--create", "stories:q2-healed");
        String out = io.out();
        for (String row : new String[] {"KLD mean", "KLD p99", "top-1 agreement %", "PPL", "KLD after/before: ", "adapter: "}) {
            assertTrue(out.contains(row), row + " in\n" + out);
        }
        assertTrue(out.contains("held-out: 567 positions"), out); // 9 chunks of 128, 63 scored each
        Path adapter = dir.resolve("healed.gguf");
        assertTrue(out.contains(Files.size(adapter) + " bytes"), out);
        assertTrue(out.contains("created stories:q2-healed"), out);
        assertTrue(io.err().contains("training"), io.err());

        StoredModel m = store.show(ModelName.parse("stories:q2-healed"));
        assertEquals(1, m.manifest().layers(LayerKind.ADAPTER).size());
        assertEquals(Files.size(q2), m.manifest().modelLayer().orElseThrow().size());

        String served = runOnServer("stories:q2-healed");
        RunStoriesTest.Result local = RunStoriesTest.run(q2.toString(), "--raw", "--temperature", "0", "--num-predict", "48",
                "--lora", adapter.toString(), "Once upon a time");
        assertEquals(0, local.exit(), local.err());
        assertEquals(local.out(), served);
        assertFalse(served.isBlank());
    }

    @Test
    void dataWithoutEvalTextHoldsOutTheLastFifth() throws Exception {
        Path f32 = SharedData.require("models/stories260K.gguf");
        FakeServer.Ctx io = heal(0, q2.toString(), "--teacher", f32.toString(), "--data",
                SharedData.require("testdata/text/stories.txt").toString(), "--seq-len", "64", "--batch", "4",
                "--steps", "2", "--eval-ctx", "64", "--no-progress", "-o", "a.gguf");
        assertTrue(io.err().contains("held out the last 20% of"), io.err());
        assertTrue(Files.isRegularFile(dir.resolve("a.gguf")));
    }

    @Test
    void usageAndInputErrors() throws Exception {
        String f32 = SharedData.require("models/stories260K.gguf").toString();
        assertTrue(heal(2, q2.toString(), "--teacher", f32, "-o", "x.gguf").err()
                .contains("give training text with --data FILE and/or --generate N"));
        assertTrue(heal(2, q2.toString(), "--teacher", f32, "--generate", "64", "--targets", "q,zz", "-o", "x.gguf").err()
                .contains("unknown LoRA target 'zz'"));
        assertTrue(heal(2, q2.toString(), "--teacher", f32, "--generate", "64", "--adapter-type", "q8_0", "-o", "x.gguf").err()
                .contains("--adapter-type must be f16 or f32"));
        assertTrue(heal(1, dir.resolve("nope.gguf").toString(), "--teacher", f32, "--generate", "64", "-o", "x.gguf").err()
                .contains("nope.gguf: no such file"));
        assertTrue(heal(1, "missing:q2", "--teacher", f32, "--generate", "64", "-o", "x.gguf").err()
                .contains("mbllm heal: "));
        assertTrue(heal(1, q2.toString(), "--teacher", f32, "--generate", "256", "--seq-len", "64", "--steps", "1",
                "--eval-text", SharedData.require("testdata/text/stories.txt").toString(), "--eval-ctx", "1024", "-o", "x.gguf").err()
                .contains("needs at least 2048"));
        assertFalse(Files.exists(dir.resolve("x.gguf")));
    }
}
