package io.mbllm.server.store;

import java.time.Instant;

/**
 * One entry of {@link ModelStore#list()} ({@code /api/tags}).
 *
 * @param name       the stored name
 * @param modifiedAt manifest mtime
 * @param size       Σ layer sizes + config size
 * @param digest     hex SHA-256 of the manifest file bytes (no prefix)
 * @param details    from the config blob ({@code parentModel} "")
 */
public record ModelSummary(ModelName name, Instant modifiedAt, long size, String digest, ModelDetails details) {

    /** The display name used in the {@code name} and {@code model} fields ({@code rocket-3b:q4}). */
    public String displayName() {
        return name.displayShortest();
    }
}
