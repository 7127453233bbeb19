package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.testkit.SharedData;

/**
 * {@code mbllm finetune} on stories260K with the reference run's settings, and its options and errors. The
 * perplexities are the PyTorch reference's float32-attention figures: the {@code f32-attention} execution.
 */
@Tag("f32-attention")
class FinetuneCommandTest {
    @TempDir Path tmp;

    static String model() {
        return SharedData.require("models/stories260K.gguf").toString();
    }

    static String text() {
        return SharedData.require("testdata/text/stories.txt").toString();
    }

    @Test
    void finetuneLowersPerplexityOnTheTrainingText() throws Exception {
        Path out = tmp.resolve("lora.gguf"), csv = tmp.resolve("loss.csv"), svg = tmp.resolve("loss.svg");
        CliRun r = CliRun.of("finetune", model(), "--data", text(), "--rank", "4", "--alpha", "8", "--lr", "1e-3",
                "--batch", "4", "--seq-len", "64", "--steps", "30", "--seed", "7", "-t", "2", "--no-progress",
                "--out", out.toString(), "--loss-csv", csv.toString(), "--plot", svg.toString());
        assertEquals(0, r.exit(), r.err());
        double[] ppl = CliRun.numbers(r.line("perplexity on the training text"));
        // ctx 128, before -> after; PyTorch (float64) on the same definition: 4.971739 -> 3.329036
        assertEquals(128, ppl[0]);
        assertEquals(4.9717, ppl[1], 2e-4);
        assertEquals(3.3290, ppl[2], 3e-4);
        List<String> rows = Files.readAllLines(csv);
        assertEquals(31, rows.size());
        assertEquals("step,loss,grad_norm,tokens,seconds", rows.getFirst());
        assertEquals(1.40359926, Double.parseDouble(rows.get(1).split(",")[1]), 1.5e-6);
        assertEquals(1.20432234, Double.parseDouble(rows.get(30).split(",")[1]), 1.5e-5);
        String plot = Files.readString(svg);
        assertTrue(plot.startsWith("<?xml") && plot.contains("<polyline"), plot);
        assertEquals(30, plot.substring(plot.indexOf("points=\"") + 8, plot.lastIndexOf("\"/>")).trim().split(" ").length);
        try (LoraAdapter a = LoraAdapter.load(out)) {
            assertEquals(35, a.pairs().size());
            assertEquals(8f, a.alpha());
        }
        assertTrue(r.err().contains("19 sequences of 64 (33 tokens dropped), 5 batches"), r.err());
    }

    @Test
    void resumingACheckpointGivesTheSameAdapterAsOneRun() throws Exception {
        String[] common = {"finetune", model(), "--data", text(), "--rank", "2", "--targets", "q,v,down", "--batch", "2",
                "--seq-len", "32", "--lr", "5e-3", "-t", "2", "--no-progress"};
        Path straight = tmp.resolve("straight.gguf"), part = tmp.resolve("part.gguf"), resumed = tmp.resolve("resumed.gguf");
        assertEquals(0, CliRun.of(concat(common, "--steps", "6", "--out", straight.toString())).exit());
        CliRun first = CliRun.of(concat(common, "--steps", "4", "--checkpoint-every", "2", "--out", part.toString()));
        assertEquals(0, first.exit(), first.err());
        Path ck = tmp.resolve("part.checkpoint.gguf");
        assertTrue(Files.isRegularFile(ck));
        CliRun second = CliRun.of(concat(common, "--steps", "6", "--resume", ck.toString(), "--out", resumed.toString()));
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.err().contains("after step 4"), second.err());
        assertTrue(second.out().contains("trained 2 steps"), second.out());
        byte[] a = Files.readAllBytes(straight), b = Files.readAllBytes(resumed);
        // same tensors, same bits; only general.name differs
        assertEquals(a.length, b.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(a, a.length - 4000, a.length), java.util.Arrays.copyOfRange(b, b.length - 4000, b.length));
        CliRun wrong = CliRun.of("finetune", model(), "--data", text(), "--rank", "3", "--targets", "q,v,down", "--batch", "2",
                "--seq-len", "32", "--steps", "6", "--resume", ck.toString(), "--out", resumed.toString(), "--no-progress");
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains("rank 2"), wrong.err());
    }

    @Test
    void jsonlCompletionTrainsAndBadLinesAreNamed() throws Exception {
        Path data = tmp.resolve("c.jsonl");
        Files.writeString(data, """
                {"prompt": "Once upon a time", "completion": " there was a little dog."}

                {"prompt": "Lily saw", "completion": " a big red ball."}
                """);
        Path out = tmp.resolve("c.gguf");
        CliRun r = CliRun.of("finetune", model(), "--data", data.toString(), "--format", "jsonl-completion", "--steps", "2",
                "--rank", "2", "--seq-len", "32", "-t", "2", "--no-progress", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("2 examples"), r.err());
        assertTrue(Files.isRegularFile(out));
        Files.writeString(data, "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": 3}\n");
        CliRun bad = CliRun.of("finetune", model(), "--data", data.toString(), "--format", "jsonl-completion", "--out", out.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("c.jsonl:2: expected {\"prompt\""), bad.err());
        CliRun chat = CliRun.of("finetune", model(), "--data", data.toString(), "--format", "jsonl-chat", "--out", out.toString());
        assertEquals(1, chat.exit());
        assertTrue(chat.err().contains("no chat template"), chat.err());
    }

    @Test
    void badOptionsAreUsageErrors() {
        String out = tmp.resolve("x.gguf").toString();
        CliRun t = CliRun.of("finetune", model(), "--data", text(), "--targets", "q,x", "--out", out);
        assertEquals(2, t.exit());
        assertTrue(t.err().contains("unknown LoRA target 'x'"), t.err());
        assertEquals(2, CliRun.of("finetune", model(), "--data", text(), "--rank", "0", "--out", out).exit());
        assertEquals(2, CliRun.of("finetune", model(), "--data", text(), "--format", "csv", "--out", out).exit());
        assertEquals(2, CliRun.of("finetune", model(), "--data", text(), "--plot", "a.jpg", "--out", out).exit());
        CliRun missing = CliRun.of("finetune", model(), "--data", tmp.resolve("none.txt").toString(), "--out", out);
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("none.txt: no such file"), missing.err());
        CliRun noModel = CliRun.of("finetune", tmp.resolve("nope.gguf").toString(), "--data", text(), "--out", out);
        assertEquals(1, noModel.exit());
        assertTrue(noModel.err().contains("nope.gguf: no such file"), noModel.err());
        CliRun tooShort = CliRun.of("finetune", model(), "--data", text(), "--seq-len", "5000", "--out", out);
        assertEquals(1, tooShort.exit());
        assertTrue(tooShort.err().contains("fewer than one sequence"), tooShort.err());
        CliRun help = CliRun.of("finetune", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("bytes per token"), help.out());
    }

    static String[] concat(String[] a, String... b) {
        String[] o = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
