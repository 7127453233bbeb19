package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.testkit.SharedData;
import picocli.CommandLine;

class GgufCommandTest {
    @TempDir Path tmp;

    private record Result(int exit, String out, String err) {
        List<String> lines() { return Arrays.asList(out.split("\n")); }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString().replace("\r\n", "\n"), err.toString());
    }

    private static boolean hasRow(Result r, String... cells) {
        Pattern p = Pattern.compile("^\\s+" + String.join("\\s+", Arrays.stream(cells).map(Pattern::quote).toList()) + "\\s*$");
        return r.lines().stream().anyMatch(l -> p.matcher(l).matches());
    }

    @Test
    void showStories260K() {
        Path model = SharedData.require("models/stories260K.gguf");
        Result r = run("gguf", "show", model.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("GGUF v3: 48 tensors, 19 kv, alignment 32, data offset 14176 (0x3760), file size 1.2 MB (1185376 bytes)",
                r.lines().get(0));
        assertTrue(r.out().contains("Metadata (19 keys):"));
        assertTrue(hasRow(r, "5", "general.architecture", "string", "\"llama\""), r.out());
        assertTrue(hasRow(r, "13", "llama.embedding_length", "u32", "64"), r.out());
        assertTrue(hasRow(r, "19", "llama.attention.layer_norm_rms_epsilon", "f32", "1.0E-5"), r.out());
        assertTrue(hasRow(r, "10", "tokenizer.ggml.seperator_token_id", "u32", "4294967295"), r.out());
        assertTrue(hasRow(r, "1", "tokenizer.ggml.tokens", "[string]",
                "[512 × string] \"<unk>\", \"<s>\", \"</s>\", \"<0x00>\", \"<0x01>\", ..."), r.out());
        assertTrue(hasRow(r, "3", "tokenizer.ggml.token_type", "[i32]", "[512 × i32] 2, 3, 3, 6, 6, ..."), r.out());
        assertTrue(r.out().contains("Tensors (48, 1.2 MB):"));
        assertTrue(hasRow(r, "#", "name", "type", "shape", "bytes"), r.out());
        assertTrue(hasRow(r, "0", "token_embd.weight", "F32", "[64, 512]", "131 KB"), r.out());
        assertTrue(hasRow(r, "1", "output_norm.weight", "F32", "[64]", "256 B"), r.out());
        assertTrue(hasRow(r, "8", "blk.0.ffn_gate.weight", "F32", "[64, 172]", "44 KB"), r.out());
        assertTrue(hasRow(r, "47", "blk.4.ffn_norm.weight", "F32", "[64]", "256 B"), r.out());
        assertEquals(1 + 1 + 1 + 1 + 19 + 1 + 1 + 1 + 48, r.lines().size(), "header, blank, title, head, rows ...");
    }

    @Test
    void keysOnlyTensorsOnlyAndAll() {
        Path model = SharedData.require("models/stories260K.gguf");
        Result keys = run("gguf", "show", "--keys-only", model.toString());
        assertEquals(0, keys.exit());
        assertTrue(keys.out().contains("general.architecture"));
        assertFalse(keys.out().contains("Tensors ("));
        Result tensors = run("gguf", "show", "--tensors-only", model.toString());
        assertEquals(0, tensors.exit());
        assertFalse(tensors.out().contains("Metadata ("));
        assertTrue(tensors.out().contains("blk.4.ffn_up.weight"));
        Result all = run("gguf", "show", "--all", "--keys-only", model.toString());
        String tokensRow = all.lines().stream().filter(l -> l.contains("tokenizer.ggml.tokens")).findFirst().orElseThrow();
        assertFalse(tokensRow.contains("..."), "--all prints arrays in full");
        assertEquals(512, tokensRow.split("\", \"").length);
        assertEquals(2, run("gguf", "show", "--keys-only", "--tensors-only", model.toString()).exit());
    }

    @Test
    void malformedAndMissingFilesExitOne() throws IOException {
        byte[] model = Files.readAllBytes(SharedData.require("models/stories260K.gguf"));
        Path bad = tmp.resolve("truncated.gguf");
        Files.write(bad, Arrays.copyOf(model, 20_000));
        Result r = run("gguf", "show", bad.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("malformed GGUF at offset 0x"), r.err());
        assertTrue(r.err().contains("tensor 'token_embd.weight' data [0, +131072) extends past end of file"), r.err());
        Result missing = run("gguf", "show", tmp.resolve("nope.gguf").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }
}
