package io.mbllm.engine.compare;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One model to compare: the name it is shown under (a store name such as {@code stories:q4}, or the file name)
 * and its GGUF file.
 */
public record Variant(String name, Path file) {
    public Variant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
    }
}
