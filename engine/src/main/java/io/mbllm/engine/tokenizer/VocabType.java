package io.mbllm.engine.tokenizer;

/** The tokenizer algorithms supported, by {@code tokenizer.ggml.model}. */
public enum VocabType {
    /** {@code llama}: SentencePiece-style BPE over scores with byte fallback. */
    SPM("llama"),
    /** {@code gpt2}: byte-level BPE over merge ranks with a regex pre-tokenizer. */
    BPE("gpt2"),
    /** {@code bert}: WordPiece, longest match first. */
    WPM("bert");

    private final String modelName;

    VocabType(String modelName) {
        this.modelName = modelName;
    }

    /** The {@code tokenizer.ggml.model} value. */
    public String modelName() {
        return modelName;
    }
}
