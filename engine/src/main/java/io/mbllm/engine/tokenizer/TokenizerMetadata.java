package io.mbllm.engine.tokenizer;

import java.util.List;
import java.util.Optional;

/**
 * The typed view of the GGUF metadata keys a tokenizer needs. Implemented over the GGUF reader; kept as a
 * small interface so the tokenizer does not depend on how the file is read. Every method returns empty when the
 * key is absent and throws {@link TokenizerException} when it is present with an incompatible type.
 */
public interface TokenizerMetadata {
    /** A STRING value. */
    Optional<String> string(String key);

    /** An ARRAY of STRING, each element as its raw UTF-8 bytes. */
    Optional<List<byte[]>> stringArray(String key);

    /** An ARRAY of an integer type, as ints. */
    Optional<int[]> intArray(String key);

    /** An ARRAY of FLOAT32. */
    Optional<float[]> floatArray(String key);

    /** An integer scalar (any width), as a long (UINT32 {@code 0xFFFFFFFF} stays positive). */
    Optional<Long> integer(String key);

    /** A BOOL value. */
    Optional<Boolean> bool(String key);
}
