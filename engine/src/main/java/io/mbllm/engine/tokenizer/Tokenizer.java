package io.mbllm.engine.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back, with llama.cpp's semantics ({@code llama_tokenize}, {@code llama_token_to_piece},
 * {@code llama_detokenize}). Instances are immutable and thread-safe. Build one with {@link Tokenizers}.
 */
public sealed interface Tokenizer permits VocabTokenizer {

    /**
     * Encodes text (as its UTF-8 bytes; an unpaired surrogate becomes {@code ?}).
     *
     * @param addSpecial   add BOS/EOS/SEP as the vocabulary's flags say
     * @param parseSpecial match control-token texts (e.g. {@code <|eot_id|>}) in the input as single tokens;
     *                     user-defined tokens are matched either way
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * Decodes ids to bytes.
     *
     * @param removeSpecial  drop a leading BOS / trailing EOS that the vocabulary adds itself
     * @param unparseSpecial render control tokens as their text (otherwise they render as nothing)
     * @throws TokenizerException for an id outside the vocabulary
     */
    byte[] decodeBytes(int[] ids, boolean removeSpecial, boolean unparseSpecial);

    /** {@link #decodeBytes} as a string; invalid UTF-8 becomes U+FFFD. */
    default String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        return new String(decodeBytes(ids, removeSpecial, unparseSpecial), StandardCharsets.UTF_8);
    }

    /** Decodes with control tokens hidden and nothing removed. */
    default String decode(int[] ids) {
        return decode(ids, false, false);
    }

    /** The raw bytes one token stands for (control tokens as their text). */
    default byte[] tokenPiece(int id) {
        return tokenPiece(id, true);
    }

    /** The raw bytes one token stands for; with {@code special} false, control/unknown tokens give nothing. */
    byte[] tokenPiece(int id, boolean special);

    /** The vocabulary behind this tokenizer. */
    Vocabulary vocabulary();

    /** Beginning-of-sequence id, or -1. */
    default int bos() {
        return vocabulary().special().bos();
    }

    /** End-of-sequence id, or -1. */
    default int eos() {
        return vocabulary().special().eos();
    }

    /** Whether generating this id ends generation (EOS, EOT, EOM and llama.cpp's other EOG tokens). */
    default boolean isEog(int id) {
        return java.util.Arrays.binarySearch(vocabulary().eogIds(), id) >= 0;
    }

    /** Whether the id is a control token. */
    default boolean isControl(int id) {
        return id >= 0 && id < vocabSize() && (vocabulary().attrs()[id] & TokenAttr.CONTROL) != 0;
    }

    /** Number of tokens. */
    default int vocabSize() {
        return vocabulary().size();
    }

    /** A detokenizer for token-by-token output with the same result as {@link #decode(int[], boolean, boolean)}. */
    default StreamingDetokenizer streaming(boolean removeSpecial, boolean unparseSpecial) {
        return new StreamingDetokenizer(this, removeSpecial, unparseSpecial);
    }
}
