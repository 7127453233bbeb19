package io.mbllm.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decoding the llama.cpp test vectors back. What llama.cpp guarantees, and so what is asserted:
 * <ul>
 *   <li>SPM: {@code decode(encode(x)) == x} (the added space prefix is stripped again; byte fallback is lossless).
 *   <li>BPE: the pieces of {@code encode(x)} concatenate to the bytes of x (byte-level BPE is lossless);
 *       {@code decode} additionally applies the vocabulary's space clean-up (" ?" → "?", " 's" → "'s", ...),
 *       so {@code decode(encode(x))} equals x for vocabs without clean-up and cleanup(x) for the others. The
 *       inputs the clean-up changes are the documented exceptions; their count is printed.
 *   <li>WordPiece is lossy (lowercasing, accents, whitespace): {@code encode(decode(encode(x))) == encode(x)}
 *       for inputs without unknown tokens.
 *   <li>Everywhere: the streaming detokenizer, fed one id at a time, produces exactly {@code decode(ids)} and
 *       never emits U+FFFD for input that has none.
 * </ul>
 */
class RoundTripTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "llama-spm, testdata/tokenizer/ggml-vocab-llama-spm.gguf, testdata/tokenizer/ggml-vocab-llama-spm.gguf",
            "phi-3, testdata/tokenizer/ggml-vocab-phi-3.gguf, testdata/tokenizer/ggml-vocab-phi-3.gguf",
            "gpt-2, testdata/tokenizer/ggml-vocab-gpt-2.gguf, testdata/tokenizer/ggml-vocab-gpt-2.gguf",
            "falcon, testdata/tokenizer/ggml-vocab-falcon.gguf, testdata/tokenizer/ggml-vocab-falcon.gguf",
            "starcoder, testdata/tokenizer/ggml-vocab-starcoder.gguf, testdata/tokenizer/ggml-vocab-starcoder.gguf",
            "deepseek-llm, testdata/tokenizer/ggml-vocab-deepseek-llm.gguf, testdata/tokenizer/ggml-vocab-deepseek-llm.gguf",
            "deepseek-coder, testdata/tokenizer/ggml-vocab-deepseek-coder.gguf, testdata/tokenizer/ggml-vocab-deepseek-coder.gguf",
            "mpt, testdata/tokenizer/ggml-vocab-mpt.gguf, testdata/tokenizer/ggml-vocab-mpt.gguf",
            "refact, testdata/tokenizer/ggml-vocab-refact.gguf, testdata/tokenizer/ggml-vocab-refact.gguf",
            "bert-bge, testdata/tokenizer/ggml-vocab-bert-bge.gguf, testdata/tokenizer/ggml-vocab-bert-bge.gguf",
            "llama-bpe (Llama-3 vocab), testdata/llamacpp-oracle/vocab/vocab-llama3.gguf, testdata/tokenizer/ggml-vocab-llama-bpe.gguf",
    })
    void decodeAndStream(String name, String vocab, String vectors) throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(vocab);
        List<VocabTestData.Case> cases = VocabTestData.cases(vectors);
        List<String> failures = new ArrayList<>();
        int exact = 0;
        int cleaned = 0;
        for (VocabTestData.Case c : cases) {
            int[] ids = tok.encode(c.text(), false, false);
            String decoded = tok.decode(ids);
            String why = switch (tok) {
                case SpmTokenizer s -> decoded.equals(c.text()) ? null : "decode " + q(decoded);
                case BpeTokenizer b -> {
                    if (!Arrays.equals(concatPieces(tok, ids), c.text().getBytes(StandardCharsets.UTF_8))) {
                        yield "pieces do not concatenate to the input";
                    }
                    byte[] in = c.text().getBytes(StandardCharsets.UTF_8);
                    String expected = tok.vocabulary().flags().cleanSpaces()
                            ? new String(SpaceCleanup.apply(in, 0, in.length), StandardCharsets.UTF_8) : c.text();
                    if (!expected.equals(c.text())) cleaned++;
                    yield decoded.equals(expected) ? null : "decode " + q(decoded) + " expected " + q(expected);
                }
                case WpmTokenizer w -> {
                    boolean hasUnk = Arrays.stream(ids).anyMatch(i -> i == tok.vocabulary().special().unk());
                    yield hasUnk || Arrays.equals(tok.encode(decoded, false, false), ids)
                            ? null : "re-encoding " + q(decoded) + " gives other ids";
                }
            };
            if (decoded.equals(c.text())) exact++;
            String streamed = stream(tok, ids);
            if (why == null && !streamed.equals(decoded)) why = "stream " + q(streamed) + " != decode " + q(decoded);
            if (why == null && streamed.indexOf('\uFFFD') >= 0 && c.text().indexOf('\uFFFD') < 0) why = "stream emitted U+FFFD";
            if (why != null) failures.add(q(c.text()) + ": " + why);
        }
        System.out.printf("[tokenizer] %-28s decode: %d/%d ok, %d exact round trips, %d changed by space clean-up%n",
                name, cases.size() - failures.size(), cases.size(), exact, cleaned);
        assertEquals(List.of(), failures, name);
        if (tok instanceof SpmTokenizer) assertEquals(cases.size(), exact);
    }

    /** Feeds ids one by one; asserts no chunk ends inside a character, returns the concatenation. */
    static String stream(Tokenizer tok, int[] ids) {
        StreamingDetokenizer d = tok.streaming(false, false);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String chunk = d.accept(id);
            assertFalse(!chunk.isEmpty() && Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)));
            sb.append(chunk);
        }
        sb.append(d.flush());
        return sb.toString();
    }

    static byte[] concatPieces(Tokenizer tok, int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(tok.tokenPiece(id));
        return out.toByteArray();
    }

    private static String q(String s) {
        return "'" + s.replace("\n", "\\n") + "'";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "llama-spm, testdata/tokenizer/ggml-vocab-llama-spm.gguf",
            "llama-3, testdata/llamacpp-oracle/vocab/vocab-llama3.gguf",
            "gpt-2, testdata/tokenizer/ggml-vocab-gpt-2.gguf",
    })
    void streamingHoldsBackSplitCharacters(String name, String vocab) {
        Tokenizer tok = VocabTestData.tokenizer(vocab);
        String text = "Llamas 🦙 and 🦙🦙, 中文字符 ឆ្ងាយ 🚀 done";
        int[] ids = tok.encode(text, false, false);
        StreamingDetokenizer d = tok.streaming(false, false);
        StringBuilder sb = new StringBuilder();
        int heldBack = 0;
        for (int id : ids) {
            String chunk = d.accept(id);
            assertFalse(chunk.contains("\uFFFD"), () -> name + ": U+FFFD emitted for id " + id);
            byte[] piece = tok.tokenPiece(id);
            if (piece.length > 0 && chunk.isEmpty()) heldBack++;
            sb.append(chunk);
        }
        sb.append(d.flush());
        assertEquals(tok.decode(ids), sb.toString());
        assertTrue(sb.toString().endsWith("🚀 done"));
        // every vocab here splits at least one of these characters across tokens
        assertTrue(heldBack > 0, name + ": expected some tokens with partial characters");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama-spm, testdata/tokenizer/ggml-vocab-llama-spm.gguf"})
    void streamingFlushesIncompleteTailAsReplacement(String name, String vocab) {
        Tokenizer tok = VocabTestData.tokenizer(vocab);
        int[] ids = tok.encode("🦙", false, false); // ▁ + four byte tokens
        StreamingDetokenizer d = tok.streaming(false, false);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length - 1; i++) sb.append(d.accept(ids[i]));
        assertEquals("", sb.toString(), "nothing complete before the last byte");
        assertEquals("\uFFFD", d.flush(), "a truncated character is flushed as U+FFFD");
        assertArrayEquals(new byte[] {(byte) 0xF0}, tok.tokenPiece(ids[1]));
    }
}
