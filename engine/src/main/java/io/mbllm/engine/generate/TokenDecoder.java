package io.mbllm.engine.generate;

/**
 * A streaming detokenizer for one generation: turns generated token ids into text pieces that never split a
 * UTF-8 sequence (bytes of an incomplete character are held until it completes).
 */
public interface TokenDecoder {
    /** The text completed by {@code token} (possibly empty). */
    String decode(int token);

    /** Text still held back at the end of generation (possibly empty). */
    String flush();
}
