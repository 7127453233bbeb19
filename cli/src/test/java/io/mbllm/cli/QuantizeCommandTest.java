package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.testkit.SharedData;
import picocli.CommandLine;

/** {@code mbllm quantize} through {@link Main#commandLine()}: success, summary, exit codes and messages. */
class QuantizeCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** A 2-layer F32 llama model with random weights. */
    @BeforeAll
    static void writeModel() throws IOException {
        model = tmp.resolve("small-f32.gguf");
        GgufMetadata meta = GgufMetadata.builder().put("general.architecture", "llama")
                .put("llama.block_count", GgufValue.u32(2)).put("llama.embedding_length", GgufValue.u32(256))
                .put("llama.attention.head_count", GgufValue.u32(4)).put("llama.attention.head_count_kv", GgufValue.u32(4))
                .put("general.file_type", GgufValue.u32(0)).build();
        List<TensorInfo> ts = new java.util.ArrayList<>();
        ts.add(TensorInfo.of("token_embd.weight", GgmlType.F32, 256, 64));
        for (int i = 0; i < 2; i++) {
            ts.add(TensorInfo.of("blk." + i + ".attn_norm.weight", GgmlType.F32, 256));
            ts.add(TensorInfo.of("blk." + i + ".attn_q.weight", GgmlType.F32, 256, 256));
            ts.add(TensorInfo.of("blk." + i + ".attn_v.weight", GgmlType.F32, 256, 256));
            ts.add(TensorInfo.of("blk." + i + ".ffn_down.weight", GgmlType.F32, 512, 256));
        }
        Random rnd = new Random(42);
        try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensors(ts).open(model)) {
            for (TensorInfo t : ts) {
                float[] v = new float[(int) t.elementCount()];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 0.02f;
                MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4]);
                MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, v.length);
                w.write(s);
            }
            w.finish();
        }
    }

    @Test
    void quantizesAndPrintsProgressAndSummary() throws IOException {
        Path out = tmp.resolve("small-q4km.gguf");
        Result r = run("quantize", model.toString(), out.toString(), "q4_k_m", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("blk.1.ffn_down.weight"), r.err());
        assertTrue(r.err().contains("100%"), r.err());
        assertTrue(r.err().contains("MB/s"), r.err());
        assertTrue(r.err().matches("(?s).*size: +[0-9.]+ [KMG]?B → [0-9.]+ [KMG]?B.*"), r.err());
        assertTrue(r.err().contains("bits/weight:"), r.err());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(15L, f.metadata().getU32("general.file_type"));
            assertEquals(GgmlType.Q6_K, f.tensor("token_embd.weight").type()); // tied: treated as output
            assertEquals(GgmlType.Q4_K, f.tensor("blk.0.attn_q.weight").type());
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
        }
    }

    @Test
    void optionsReachTheQuantizer() throws IOException {
        Path out = tmp.resolve("small-pure.gguf");
        Result r = run("quantize", "--pure", "--token-embedding-type", "Q8_0", model.toString(), out.toString(), "15");
        assertEquals(0, r.exit(), r.err());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(GgmlType.Q8_0, f.tensor("token_embd.weight").type());
            assertEquals(GgmlType.Q4_K, f.tensor("blk.0.attn_v.weight").type());
            assertEquals(GgmlType.Q4_K, f.tensor("blk.0.ffn_down.weight").type());
        }
    }

    @Test
    void withImatrixAndRequantize() throws IOException {
        Path imat = SharedData.require("testdata/quant-e2e/tiny-imatrix.gguf");
        // the tiny imatrix has 256-wide entries for blk.0/1 attn_q/attn_v: they fit this model's attention weights,
        // but its ffn_down entries are 320 wide and this model's are 512: a clear error
        Result bad = run("quantize", "--imatrix", imat.toString(), model.toString(), tmp.resolve("x.gguf").toString(), "Q4_K_M");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("imatrix size 320 is different from tensor size 512 for blk.0.ffn_down.weight"), bad.err());
        assertFalse(Files.exists(tmp.resolve("x.gguf")));

        Path q8 = tmp.resolve("small-q8.gguf");
        assertEquals(0, run("quantize", model.toString(), q8.toString(), "Q8_0").exit());
        Result refused = run("quantize", q8.toString(), tmp.resolve("y.gguf").toString(), "Q4_0");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("--allow-requantize"), refused.err());
        assertEquals(0, run("quantize", "--allow-requantize", q8.toString(), tmp.resolve("y.gguf").toString(), "Q4_0").exit());
    }

    @Test
    void badInputExitsOneWithAMessage() throws IOException {
        Result missing = run("quantize", tmp.resolve("nope.gguf").toString(), tmp.resolve("o.gguf").toString(), "Q8_0");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("Error: ") && missing.err().contains("no such file"), missing.err());

        Path junk = tmp.resolve("junk.gguf");
        Files.writeString(junk, "this is not gguf");
        Result malformed = run("quantize", junk.toString(), tmp.resolve("o.gguf").toString(), "Q8_0");
        assertEquals(1, malformed.exit());
        assertTrue(malformed.err().contains("not a valid GGUF file"), malformed.err());

        Result unknown = run("quantize", model.toString(), tmp.resolve("o.gguf").toString(), "Q7_K");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("unknown quantization type 'Q7_K'") && unknown.err().contains("Q4_K_M(15)"), unknown.err());

        Result badType = run("quantize", "--output-tensor-type", "q9_9", model.toString(), tmp.resolve("o.gguf").toString(), "Q8_0");
        assertEquals(1, badType.exit());
        assertTrue(badType.err().contains("q9_9") && badType.err().contains("q6_K"), badType.err());

        Result missingImatrix = run("quantize", "--imatrix", tmp.resolve("none.dat").toString(), model.toString(),
                tmp.resolve("o.gguf").toString(), "Q8_0");
        assertEquals(1, missingImatrix.exit());
        assertTrue(missingImatrix.err().contains("none.dat"), missingImatrix.err());

        Result threads = run("quantize", "--threads", "0", model.toString(), tmp.resolve("o.gguf").toString(), "Q8_0");
        assertEquals(1, threads.exit());
        assertFalse(Files.exists(tmp.resolve("o.gguf")));
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("quantize", model.toString()).exit());
        assertEquals(2, run("quantize", "a", "b", "c", "--frobnicate").exit());
        assertEquals(2, run("quantize", "a", "b", "c", "--threads", "many").exit());
        Result help = run("quantize", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--imatrix"));
    }
}
