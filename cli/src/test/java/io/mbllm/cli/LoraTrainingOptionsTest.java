package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * The LoRA training options shared by {@code finetune} and {@code heal}: each command's own defaults, applied and
 * shown by {@code --help}, and the same usage errors (exit 2, before any model is opened: the models named here
 * do not exist).
 */
class LoraTrainingOptionsTest {
    @TempDir
    Path dir;

    @Test
    void eachCommandAppliesItsOwnDefaults() {
        FinetuneCommand f = new FinetuneCommand();
        new CommandLine(f).parseArgs("base.gguf", "--data", "d.txt", "-o", "a.gguf");
        assertLora(f.lora, 8, 16f, "q,k,v,o,gate,up,down", 1e-3, 4, 256);
        assertEquals(Path.of("a.gguf"), f.lora.out);

        HealCommand h = new HealCommand();
        new CommandLine(h).parseArgs("s.gguf", "--teacher", "t.gguf", "--generate", "64", "--out", "b.gguf");
        assertLora(h.lora, 1, 2f, "q,k,v,o,gate,up", 1e-2, 8, 128);

        FinetuneCommand g = new FinetuneCommand();
        new CommandLine(g).parseArgs("base.gguf", "--data", "d.txt", "-o", "a.gguf", "--rank", "3", "--alpha", "5",
                "--targets", "q,v", "--lr", "2e-4", "--batch", "2", "--seq-len", "33");
        assertLora(g.lora, 3, 5f, "q,v", 2e-4, 2, 33);
    }

    private static void assertLora(LoraTrainingOptions o, int rank, float alpha, String targets, double lr, int batch, int seqLen) {
        assertEquals(rank, o.rank);
        assertEquals(alpha, o.alpha);
        assertEquals(targets, o.targets);
        assertEquals(lr, o.lr);
        assertEquals(batch, o.batch);
        assertEquals(seqLen, o.seqLen);
    }

    @Test
    void helpShowsEachCommandsDefaults() {
        String f = CliRun.of("finetune", "--help").out().replaceAll("\\s+", " ");
        assertTrue(f.contains("--rank=R LoRA rank (default: 8)."), f);
        assertTrue(f.contains("(default: 16.0)") && f.contains("(default: q,k,v,o,gate,up,down)"), f);
        assertTrue(f.contains("AdamW learning rate (default: 0.001;"), f);
        assertTrue(f.contains("Sequences per batch (default: 4).") && f.contains("Tokens per training sequence (default: 256)."), f);
        CliRun heal = CliRun.of("heal", "--help");
        assertEquals("", heal.err()); // no picocli format warning
        String h = heal.out().replaceAll("\\s+", " ");
        assertTrue(h.contains("--rank=R LoRA rank (default: 1)."), h);
        assertTrue(h.contains("(default: 2.0)") && h.contains("(default: q,k,v,o,gate,up)."), h);
        assertTrue(h.contains("AdamW learning rate (default: 0.01;"), h);
        assertTrue(h.contains("Sequences per batch (default: 8).") && h.contains("Tokens per training sequence (default: 128)."), h);
        assertTrue(h.contains("by default the last 20% of --data"), h);
    }

    @Test
    void badValuesAreTheSameUsageErrorsInBothCommands() {
        String[][] cases = {
                {"--rank", "0", "--rank must be at least 1, got 0"},
                {"--alpha", "-1", "--alpha must be a positive number, got -1.0"},
                {"--lr", "0", "--lr must be a positive number, got 0.0"},
                {"--batch", "0", "--batch must be at least 1, got 0"},
                {"--seq-len", "1", "--seq-len must be at least 2, got 1"},
                {"--targets", "q,w", "--targets: unknown LoRA target 'w'"},
        };
        for (String[] c : cases) {
            CliRun f = CliRun.of("finetune", dir.resolve("none.gguf").toString(), "--data", "d.txt", "-o", "a.gguf", c[0], c[1]);
            assertEquals(2, f.exit(), f.err());
            assertTrue(f.err().contains("mbllm finetune: " + c[2]), f.err());

            FakeServer.Ctx io = new FakeServer.Ctx(Map.of(), dir);
            int exit = new CommandLine(new HealCommand(io.ctx)).execute("none.gguf", "--teacher", "none-f32.gguf", "--generate", "64",
                    "-o", "a.gguf", c[0], c[1]);
            assertEquals(2, exit, io.err());
            assertTrue(io.err().contains("mbllm heal: " + c[2]), io.err());
        }
    }
}
