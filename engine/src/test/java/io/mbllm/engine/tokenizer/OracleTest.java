package io.mbllm.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mbllm.testkit.SharedData;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Token ids and pieces against llama.cpp's recorded runs ({@code shared/testdata/llamacpp-oracle}, models). */
class OracleTest {
    private static final String LLAMA3 = "testdata/llamacpp-oracle/vocab/vocab-llama3.gguf";
    private static final String NEOX = "testdata/llamacpp-oracle/vocab/ggml-vocab-gpt-neox.gguf";
    private static final String STORIES = "models/stories260K.gguf";
    private static final String PROMPT = "The quick brown fox jumps over the lazy dog. Once upon a time,";

    @Test
    void llama1bPromptWithBos() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(LLAMA3);
        int[] expected = {128000, 791, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679, 13, 9843, 5304, 264, 892, 11};
        assertArrayEquals(expected, tok.encode(PROMPT, true, true));
        OracleJson oracle = new OracleJson(SharedData.require("testdata/llamacpp-oracle/llama-1b-Q8_0.greedy.json"));
        assertArrayEquals(oracle.ints("prompt_tokens"), tok.encode(PROMPT, true, true));
        String tokenizeTxt = Files.readString(SharedData.require("testdata/llamacpp-oracle/llama-1b.prompt-tokens.llama-tokenize.txt")).strip();
        assertEquals(tokenizeTxt, java.util.Arrays.toString(expected));
    }

    @Test
    void llama3ChatPromptParsesSpecialTokens() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(LLAMA3);
        OracleJson chat = new OracleJson(SharedData.require("testdata/llamacpp-oracle/llama-1b-Q8_0.server-chat.json"));
        String rendered = chat.strings("rendered_prompt").getFirst();
        int[] ids = tok.encode(rendered, true, true);
        assertArrayEquals(chat.ints("prompt_tokens"), ids);
        assertEquals(47, ids.length);
        // without special parsing the markers are plain text
        int[] plain = tok.encode(rendered, true, false);
        assertFalse(java.util.Arrays.stream(plain).anyMatch(i -> i == 128006 || i == 128009));
        // control tokens are hidden by default and rendered on request
        assertEquals(rendered.replace("<|start_header_id|>", "").replace("<|end_header_id|>", "").replace("<|eot_id|>", ""),
                tok.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length)));
        assertEquals("<|begin_of_text|>" + rendered, tok.decode(ids, false, true));
        assertEquals(rendered, tok.decode(ids, true, true), "removeSpecial drops the BOS the vocab adds");
    }

    @Test
    void llama3GeneratedPiecesMatchOracle() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(LLAMA3);
        for (String file : List.of("llama-1b-Q8_0.greedy.json", "llama-1b-Q4_K_M.norepack.greedy.json", "llama-1b-F16.greedy.json")) {
            OracleJson o = new OracleJson(SharedData.require("testdata/llamacpp-oracle/" + file));
            int[] gen = o.ints("generated_tokens");
            List<String> hex = o.strings("piece_hex");
            assertEquals(gen.length, hex.size());
            for (int i = 0; i < gen.length; i++) {
                assertArrayEquals(OracleJson.hex(hex.get(i)), tok.tokenPiece(gen[i]), file + " step " + i);
            }
            byte[] text = OracleJson.hex(o.strings("generated_text_hex").getFirst());
            assertArrayEquals(text, RoundTripTest.concatPieces(tok, gen), file);
        }
    }

    @Test
    void llama3EndOfGeneration() {
        Tokenizer tok = VocabTestData.tokenizer(LLAMA3);
        assertEquals(128000, tok.bos());
        assertEquals(128009, tok.eos());
        assertArrayEquals(new int[] {128001, 128008, 128009}, tok.vocabulary().eogIds());
        assertTrue(tok.isEog(128009) && tok.isEog(128001) && tok.isEog(128008));
        assertFalse(tok.isEog(128006) || tok.isEog(128000) || tok.isEog(13));
        assertEquals(128009, tok.vocabulary().special().eot());
        assertEquals(128008, tok.vocabulary().special().eom());
        assertTrue(tok.vocabulary().flags().addBos());
        assertEquals(128256, tok.vocabSize());
    }

    @Test
    void stablelmPromptWithNeoxDefaultPreTokenizer() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(NEOX);
        assertEquals(PreTokenizerType.DEFAULT, tok.vocabulary().preTokenizer());
        int[] expected = {510, 3158, 8516, 30013, 27287, 689, 253, 22658, 4370, 15, 7243, 2220, 247, 673, 13};
        assertArrayEquals(expected, tok.encode(PROMPT, true, true), "no BOS for NeoX");
        OracleJson o = new OracleJson(SharedData.require("testdata/llamacpp-oracle/stablelm-3b-Q8_0.greedy.json"));
        assertArrayEquals(o.ints("prompt_tokens"), tok.encode(PROMPT, true, true));
        int[] gen = o.ints("generated_tokens");
        List<String> hex = o.strings("piece_hex");
        for (int i = 0; i < gen.length; i++) assertArrayEquals(OracleJson.hex(hex.get(i)), tok.tokenPiece(gen[i]));
        assertTrue(tok.isEog(0));
    }

    @Test
    void stories260kPrompts() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(STORIES);
        assertTrue(tok instanceof SpmTokenizer);
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, tok.encode("Once upon a time", true, false));
        assertArrayEquals(new int[] {1, 317}, tok.encode("Lily", true, false));
        assertArrayEquals(new int[] {403, 407, 261, 378}, tok.encode("Once upon a time", false, false));
        assertArrayEquals(new int[] {1, 2}, new int[] {tok.bos(), tok.eos()});
        assertTrue(tok.isEog(2));
        assertFalse(tok.isEog(1));
        assertEquals(-1, tok.vocabulary().special().sep(), "0xFFFFFFFF in the file means none");
    }

    @Test
    void stories260kGreedyTextDecodes() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(STORIES);
        OracleJson o = new OracleJson(SharedData.require("testdata/llamacpp-oracle/stories260K.greedy.json"));
        assertArrayEquals(o.ints("prompt_tokens"), tok.encode("Once upon a time", true, true));
        int[] gen = o.ints("generated_tokens");
        String text = new String(OracleJson.hex(o.strings("generated_text_hex").getFirst()), StandardCharsets.UTF_8);
        assertEquals(text, new String(RoundTripTest.concatPieces(tok, gen), StandardCharsets.UTF_8));
        assertEquals(text, RoundTripTest.stream(tok, gen));
    }

    /** run.c's 200-token greedy output: the ids after BOS decode to its text (first piece's space dropped). */
    @Test
    void stories260kRunCTrace() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(STORIES);
        List<String> rows = Files.readAllLines(SharedData.require("models/stories260K.expected.tokens.tsv"));
        for (String run : List.of("greedy_n200", "greedy_n64_once", "greedy_n64_lily")) {
            List<Integer> next = new ArrayList<>();
            for (String r : rows) {
                String[] f = r.split("\t");
                if (f[0].equals(run)) {
                    next.add(Integer.parseInt(f[3]));
                    // tok512.bin strings: byte tokens are written as <0xXX>, which decode to that byte
                    String piece = f.length > 7 ? f[7].replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\") : "";
                    byte[] expectedPiece = piece.matches("<0x[0-9A-F]{2}>")
                            ? new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)}
                            : piece.getBytes(StandardCharsets.UTF_8);
                    assertArrayEquals(expectedPiece, tok.tokenPiece(Integer.parseInt(f[3])), r);
                }
            }
            int[] ids = next.stream().mapToInt(Integer::intValue).toArray();
            String expectedFile = switch (run) {
                case "greedy_n200" -> "models/stories260K.expected.txt";
                case "greedy_n64_once" -> "models/stories260K.expected.once-upon-a-time.n64.txt";
                default -> "models/stories260K.expected.lily.n64.txt";
            };
            String expected = Files.readString(SharedData.require(expectedFile), StandardCharsets.UTF_8);
            assertEquals(expected, tok.decode(ids) + "\n", run);
            int[] withBos = new int[ids.length + 1];
            withBos[0] = 1;
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            assertEquals(" " + expected, tok.decode(withBos, true, false) + "\n",
                    "llama.cpp keeps the leading space after a removed BOS");
        }
    }
}
