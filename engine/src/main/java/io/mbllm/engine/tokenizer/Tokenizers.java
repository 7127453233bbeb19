package io.mbllm.engine.tokenizer;

import io.mbllm.gguf.GgufMetadata;

/** Builds the {@link Tokenizer} a vocabulary calls for. */
public final class Tokenizers {
    private Tokenizers() {}

    /** The tokenizer for a resolved vocabulary. */
    public static Tokenizer create(Vocabulary vocab) {
        return switch (vocab.type()) {
            case SPM -> new SpmTokenizer(vocab);
            case BPE -> new BpeTokenizer(vocab);
            case WPM -> new WpmTokenizer(vocab);
        };
    }

    /**
     * Reads the vocabulary from GGUF metadata and builds its tokenizer.
     *
     * @throws TokenizerException for an unsupported {@code tokenizer.ggml.model} or {@code tokenizer.ggml.pre},
     *                            or missing/inconsistent tokenizer keys
     */
    public static Tokenizer fromMetadata(TokenizerMetadata metadata) {
        return create(Vocabulary.fromMetadata(metadata));
    }

    /** Reads the vocabulary from a GGUF file's metadata and builds its tokenizer (see {@link #fromMetadata}). */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        return fromMetadata(new GgufTokenizerMetadata(metadata));
    }
}
