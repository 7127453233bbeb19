package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.testkit.SharedData;
import picocli.CommandLine;

/** {@code mbllm merge-lora}, {@code mbllm import-lora} and {@code mbllm run --lora} on stories260K and the lora-oracle adapters. */
class LoraCommandsTest {
    static final String DIR = "testdata/lora-oracle/";

    @TempDir
    Path tmp;

    record Result(int exit, String err) {}

    static Result mbllm(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return new Result(cl.execute(args), err.toString());
    }

    static String shared(String rel) {
        return SharedData.require(rel).toString();
    }

    static String oracleText(String name) throws Exception {
        return new ObjectMapper().readTree(SharedData.require(DIR + name + ".kvf32-nofa.greedy.json").toFile())
                .get("generated_text").asText();
    }

    @Test
    void mergeLoraWritesLlamaExportLorasFile() throws Exception {
        Path out = tmp.resolve("merged.gguf");
        Result r = mbllm("merge-lora", shared("models/stories260K.gguf"), shared(DIR + "stories260K-lora-a.f32.gguf") + ":1", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("20 tensor(s) merged"), r.err());
        String want = new ObjectMapper().readTree(SharedData.require(DIR + "merged-a.tensor-sha256.json").toFile()).get("sha256").asText();
        assertEquals(want, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out))));
        // the merged model tells the adapter's story
        RunStoriesTest.Result run = RunStoriesTest.run(out.toString(), "--raw", "--temperature", "0", "--num-predict", "48", "Once upon a time");
        assertEquals(0, run.exit(), run.err());
        assertEquals(oracleText("lora-a.s1") + "\n", run.out());
    }

    @Test
    void mergeLoraErrors() {
        Path out = tmp.resolve("never.gguf");
        Result q = mbllm("merge-lora", shared("models/stories260K.gguf"), shared(DIR + "stories260K-lora-a.q8_0.gguf"), out.toString());
        assertEquals(1, q.exit());
        assertTrue(q.err().startsWith("Error: ") && q.err().contains("quantized LoRA adapters is not supported"), q.err());
        Result arch = mbllm("merge-lora", shared("models/stories260K.gguf"), shared(DIR + "edge/invalid-arch-gpt2.gguf"), out.toString());
        assertEquals(1, arch.exit());
        assertTrue(arch.err().contains("model arch and LoRA arch mismatch"), arch.err());
        Result missing = mbllm("merge-lora", shared("models/stories260K.gguf"), tmp.resolve("nope.gguf").toString(), out.toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Result type = mbllm("merge-lora", "--quantize", "Q9_X", shared("models/stories260K.gguf"), shared(DIR + "stories260K-lora-a.f32.gguf"), out.toString());
        assertEquals(1, type.exit());
        assertEquals(2, mbllm("merge-lora", shared("models/stories260K.gguf"), out.toString()).exit());
        assertFalse(Files.exists(out));
    }

    /** {@code run --lora FILE[:SCALE]} (repeatable) gives the oracle's greedy text for (a), (a) at 0.5 and (a)+(b). */
    @Test
    void runWithLora() throws Exception {
        String a = shared(DIR + "stories260K-lora-a.f32.gguf"), b = shared(DIR + "stories260K-lora-b.f32.gguf");
        String gguf = shared("models/stories260K.gguf");
        String[][] cases = {{"lora-a.s1", a}, {"lora-a.s0.5", a + ":0.5"}};
        for (String[] c : cases) {
            RunStoriesTest.Result r = RunStoriesTest.run(gguf, "--raw", "--temperature", "0", "--num-predict", "48", "--lora", c[1], "Once upon a time");
            assertEquals(0, r.exit(), r.err());
            assertEquals(oracleText(c[0]) + "\n", r.out(), c[0]);
        }
        RunStoriesTest.Result ab = RunStoriesTest.run(gguf, "--raw", "--temperature", "0", "--num-predict", "48", "--lora", a, "--lora", b, "Once upon a time");
        assertEquals(0, ab.exit(), ab.err());
        assertEquals(oracleText("lora-a+b.s1") + "\n", ab.out());
        RunStoriesTest.Result bad = RunStoriesTest.run(gguf, "--raw", "--lora", shared(DIR + "edge/invalid-wrong-n-in.gguf"), "Once");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("has incorrect shape"), bad.err());
    }

    @Test
    void importLora() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("peft"));
        Files.writeString(dir.resolve("adapter_config.json"), "{\"r\": 2, \"lora_alpha\": 4}");
        // a minimal PEFT file: v_proj of layer 0 (A: 2×64, B: 32×2), all values 0.25
        StringBuilder h = new StringBuilder("{\"base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight\":{\"dtype\":\"F32\",\"shape\":[2,64],\"data_offsets\":[0,512]},"
                + "\"base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight\":{\"dtype\":\"F32\",\"shape\":[32,2],\"data_offsets\":[512,768]}}");
        while (h.length() % 8 != 0) h.append(' ');
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(8 + h.length() + 768).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length()).put(h.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        while (bb.hasRemaining()) bb.putFloat(0.25f);
        Files.write(dir.resolve("adapter_model.safetensors"), bb.array());
        Path out = tmp.resolve("imported.gguf");
        Result r = mbllm("import-lora", dir.toString(), out.toString(), "--base", shared("models/stories260K.gguf"), "--outtype", "f16");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("1 adapted tensor(s), rank 2, alpha 4.0"), r.err());
        try (var a = io.mbllm.engine.lora.LoraAdapter.load(out)) {
            assertEquals(1, a.pairs().size());
            assertEquals(io.mbllm.gguf.GgmlType.F16, a.pairs().getFirst().a().type());
        }
        Result bad = mbllm("import-lora", tmp.resolve("missing").toString(), out.toString(), "--base", shared("models/stories260K.gguf"));
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("no such file"), bad.err());
        assertEquals(2, mbllm("import-lora", dir.toString(), out.toString()).exit()); // --base is required
    }
}
