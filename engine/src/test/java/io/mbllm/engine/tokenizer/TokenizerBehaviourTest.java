package io.mbllm.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Special-token rules, error handling, space clean-up and speed. */
class TokenizerBehaviourTest {
    private static final String SPM = "testdata/tokenizer/ggml-vocab-llama-spm.gguf";
    private static final String PHI3 = "testdata/tokenizer/ggml-vocab-phi-3.gguf";
    private static final String LLAMA3 = "testdata/llamacpp-oracle/vocab/vocab-llama3.gguf";
    private static final String GPT2 = "testdata/tokenizer/ggml-vocab-gpt-2.gguf";
    private static final String BERT = "testdata/tokenizer/ggml-vocab-bert-bge.gguf";

    @Test
    void spmSpecialTokensAndSpacePrefix() {
        Tokenizer tok = VocabTestData.tokenizer(SPM);
        int[] hello = tok.encode("Hello", false, false);
        int[] withBos = tok.encode("Hello", true, false);
        assertEquals(1, withBos[0]);
        assertArrayEquals(hello, java.util.Arrays.copyOfRange(withBos, 1, withBos.length));
        // parseSpecial: "<s>" is one token and the text after it gets the space prefix again
        int[] parsed = tok.encode("<s>Hello</s>", false, true);
        assertEquals(1, parsed[0]);
        assertEquals(2, parsed[parsed.length - 1]);
        assertArrayEquals(hello, java.util.Arrays.copyOfRange(parsed, 1, parsed.length - 1));
        // without it, "<s>" is ordinary text
        assertTrue(java.util.Arrays.stream(tok.encode("<s>Hello", false, false)).noneMatch(i -> i == 1));
        assertEquals("<s>Hello", tok.decode(tok.encode("<s>Hello", false, false)));
        assertArrayEquals(new int[0], tok.encode("", false, false));
        assertArrayEquals(new int[] {1}, tok.encode("", true, false));
    }

    @Test
    void phi3StripsWhitespaceAfterSpecialTokens() {
        Tokenizer tok = VocabTestData.tokenizer(PHI3);
        int user = 32010; // <|user|>
        assertEquals("<|user|>", tok.vocabulary().tokenText(user));
        int[] a = tok.encode("<|user|>  \n Hi", false, true);
        int[] b = tok.encode("<|user|>Hi", false, true);
        assertEquals(user, a[0]);
        assertArrayEquals(b, a);
        assertTrue(tok.isEog(32007)); // <|end|>
        assertTrue(tok.isEog(32000)); // <|endoftext|>, the EOS
    }

    @Test
    void userDefinedTokensMatchWithoutSpecialParsing() throws Exception {
        Tokenizer tok = VocabTestData.tokenizer("testdata/tokenizer/ggml-vocab-mpt.gguf");
        String spaces = " ".repeat(24);
        int id = 50254; // a user-defined run of 24 spaces
        assertEquals(spaces, tok.vocabulary().tokenText(id));
        int[] ids = tok.encode("a" + spaces + "b", false, false);
        assertTrue(java.util.Arrays.stream(ids).anyMatch(i -> i == id));
        assertEquals("a" + spaces + "b", tok.decode(ids));
    }

    @Test
    void wordPieceNormalises() {
        Tokenizer tok = VocabTestData.tokenizer(BERT);
        int[] ids = tok.encode("Héllo, World!", true, false);
        assertEquals(101, ids[0]);
        assertEquals(102, ids[ids.length - 1]);
        assertEquals(" hello, world!", tok.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length - 1)));
        assertEquals(100, tok.encode("\u2603\u2603", false, false)[0], "unknown word → [UNK]");
    }

    @Test
    void spaceCleanupPasses() {
        assertEquals("Hi? yes! ok. a, b", clean("Hi ? yes ! ok . a , b"));
        assertEquals("rock'n roll", clean("rock ' n roll"));
        assertEquals("it's I'm we're you've don 't I 'll", clean("it 's I 'm we 're you 've don 't I 'll"));
        assertEquals("?", clean(" ?"));
        assertEquals("", clean(""));
        Tokenizer gpt2 = VocabTestData.tokenizer(GPT2);
        int[] ids = gpt2.encode("Wait , what 's that ?", false, false);
        assertEquals("Wait, what's that?", gpt2.decode(ids));
        assertEquals("Wait, what's that?", RoundTripTest.stream(gpt2, ids));
        // the space removed by " ' " belongs to the next token: streaming must wait for it
        int[] quote = gpt2.encode("rock ' n roll ' s", false, false);
        assertTrue(quote.length >= 5);
        assertEquals("rock'n roll's", gpt2.decode(quote));
        assertEquals("rock'n roll's", RoundTripTest.stream(gpt2, quote));
    }

    private static String clean(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new String(SpaceCleanup.apply(b, 0, b.length), StandardCharsets.UTF_8);
    }

    @Test
    void unknownPreTokenizerIsAClearError() throws Exception {
        GgufMetadata md = VocabTestData.metadata(GPT2).toBuilder().put("tokenizer.ggml.pre", "no-such-pre").build();
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.fromGguf(md));
        assertTrue(e.getMessage().contains("'no-such-pre'"), e.getMessage());
        assertTrue(e.getMessage().contains("llama-bpe") && e.getMessage().contains("deepseek-coder"), e.getMessage());
    }

    @Test
    void unsupportedModelAndMissingKeysAreClearErrors() throws Exception {
        GgufMetadata spm = VocabTestData.metadata(SPM);
        GgufMetadata t5 = spm.toBuilder().put("tokenizer.ggml.model", "t5").build();
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.fromGguf(t5));
        assertTrue(e.getMessage().contains("'t5'") && e.getMessage().contains("gpt2"), e.getMessage());
        GgufMetadata noMerges = VocabTestData.metadata(GPT2).toBuilder().remove("tokenizer.ggml.merges").build();
        assertThrows(TokenizerException.class, () -> Tokenizers.fromGguf(noMerges));
        GgufMetadata noTokens = spm.toBuilder().remove("tokenizer.ggml.tokens").build();
        assertThrows(TokenizerException.class, () -> Tokenizers.fromGguf(noTokens));
        GgufMetadata shortScores = spm.toBuilder()
                .put("tokenizer.ggml.scores", GgufValue.NumericArray.ofFloat32(1f, 2f)).build();
        assertThrows(TokenizerException.class, () -> Tokenizers.fromGguf(shortScores));
        GgufMetadata badType = spm.toBuilder().put("tokenizer.ggml.add_bos_token", "yes").build();
        e = assertThrows(TokenizerException.class, () -> Tokenizers.fromGguf(badType));
        assertTrue(e.getMessage().contains("add_bos_token"), e.getMessage());
    }

    @Test
    void badIdsAreClearErrors() {
        Tokenizer tok = VocabTestData.tokenizer(SPM);
        assertThrows(TokenizerException.class, () -> tok.decode(new int[] {5, 32000}));
        assertThrows(TokenizerException.class, () -> tok.decode(new int[] {-1}));
        assertThrows(TokenizerException.class, () -> tok.tokenPiece(32000));
        assertThrows(TokenizerException.class, () -> tok.streaming(false, false).accept(99999));
    }

    @Test
    void longInputsEncodeInMilliseconds() {
        String para = "The quick brown fox jumps over the lazy dog; 3.14159 times, naïve café 中文 🦙!\n";
        String text = para.repeat(120);
        String noSpaces = "abcdefghij".repeat(2000);
        for (String path : List.of(SPM, LLAMA3, GPT2, BERT)) {
            Tokenizer tok = VocabTestData.tokenizer(path);
            tok.encode(text, true, true); // warm up
            long t0 = System.nanoTime();
            int[] ids = tok.encode(text, true, true);
            long t1 = System.nanoTime();
            int[] run = tok.encode(noSpaces, false, false);
            long t2 = System.nanoTime();
            System.out.printf("[tokenizer] %-58s %5d tokens in %4d ms; 20000-char word → %5d tokens in %4d ms%n",
                    path, ids.length, (t1 - t0) / 1_000_000, run.length, (t2 - t1) / 1_000_000);
            assertTrue(ids.length > 2000);
            assertTrue((t1 - t0) / 1_000_000 < 1000, "encoding " + ids.length + " tokens took " + (t1 - t0) / 1_000_000 + " ms");
            assertTrue((t2 - t1) / 1_000_000 < 2000, "long word took " + (t2 - t1) / 1_000_000 + " ms");
            if (!(tok instanceof WpmTokenizer)) assertEquals(noSpaces, tok.decode(run));
        }
    }
}
