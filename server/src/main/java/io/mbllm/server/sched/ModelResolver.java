package io.mbllm.server.sched;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The server's view of the model store: name → GGUF file plus template, system prompt and parameters. The
 * on-disk store implements it; {@link MemoryModelResolver} is the in-memory stand-in.
 */
public interface ModelResolver {
    /** The model of that name (case-insensitive), if it exists. */
    Optional<ResolvedModel> resolve(ModelRef name) throws IOException;

    /** Every model, in any order. */
    List<ResolvedModel> list() throws IOException;

    /**
     * Copies {@code source} to {@code destination} (replacing it).
     *
     * @return false when the source does not exist
     */
    boolean copy(ModelRef source, ModelRef destination) throws IOException;

    /**
     * Deletes a model.
     *
     * @return false when it does not exist
     */
    boolean delete(ModelRef name) throws IOException;
}
