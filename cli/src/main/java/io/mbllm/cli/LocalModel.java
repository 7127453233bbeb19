package io.mbllm.cli;

import java.util.Optional;
import java.util.function.IntPredicate;

import io.mbllm.engine.generate.LogitSource;
import io.mbllm.engine.generate.TokenDecoder;

/**
 * A model file opened for local inference (no server): what {@code mbllm run FILE.gguf} needs from the
 * model, its tokenizer and its metadata. Closing it releases the mapped file.
 */
public interface LocalModel extends AutoCloseable {
    /** The context length the model was trained for ({@code <arch>.context_length}), or 0 when unknown. */
    int trainedContextLength();

    /** A fresh sequence (empty KV cache) of {@code numCtx} tokens. */
    LogitSource newSequence(int numCtx);

    /** Tokenizes {@code text}; {@code addSpecial} adds BOS/EOS as the vocabulary asks, {@code parseSpecial} matches control-token texts. */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * A fresh streaming detokenizer for the text that follows {@code prompt} (control tokens hidden; the prompt
     * is decoded first and dropped, so that the first generated piece is decoded as a continuation).
     */
    TokenDecoder newDecoder(int[] prompt);

    /** Tokens that end generation (EOS, end of turn). */
    IntPredicate endOfGeneration();

    /** The Jinja chat template ({@code tokenizer.chat_template}), if the file has one. */
    Optional<String> chatTemplate();

    /** BOS text for templates ("" when none). */
    String bosText();

    /** EOS text for templates ("" when none). */
    String eosText();

    /** Whether encoding with {@code addSpecial} puts a BOS in front. */
    boolean addsBos();

    @Override
    void close();

    /** Opens a model file. */
    @FunctionalInterface
    interface Loader {
        LocalModel open(java.nio.file.Path file) throws Exception;
    }
}
