package io.mbllm.engine.tokenizer;

/**
 * A tokenizer could not be built from the given metadata (unsupported model or pre-tokenizer, missing or
 * inconsistent keys), or a tokenizer was called with invalid input (for example a token id out of range).
 */
public final class TokenizerException extends RuntimeException {
    /** Creates the exception with a message that names the offending value. */
    public TokenizerException(String message) {
        super(message);
    }
}
