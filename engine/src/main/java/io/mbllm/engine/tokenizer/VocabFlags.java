package io.mbllm.engine.tokenizer;

/**
 * The behaviour switches of a vocabulary, resolved from the model type, the pre-tokenizer and the GGUF keys.
 *
 * @param addSpacePrefix         SPM: prepend a space to text (and strip it from the first decoded piece)
 * @param addBos                 add BOS when encoding with {@code addSpecial}
 * @param addEos                 add EOS when encoding with {@code addSpecial}
 * @param addSep                 add SEP when encoding with {@code addSpecial} (WordPiece)
 * @param ignoreMerges           BPE: a pre-tokenized word that is a token is emitted without merging
 * @param cleanSpaces            decoding removes spaces before {@code ?!.,} and some contractions
 * @param removeExtraWhitespaces {@code tokenizer.ggml.remove_extra_whitespaces} (read, not used by SPM/BPE/WPM)
 * @param lowercase              WordPiece: lowercase input
 * @param stripAccents           WordPiece: strip accents (NFD first code point, drop marks)
 */
public record VocabFlags(boolean addSpacePrefix, boolean addBos, boolean addEos, boolean addSep,
                         boolean ignoreMerges, boolean cleanSpaces, boolean removeExtraWhitespaces,
                         boolean lowercase, boolean stripAccents) {
}
