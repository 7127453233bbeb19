package io.mbllm.server.store;

/**
 * A write to a name that differs only in letter case from an existing model (Ollama refuses this too);
 * message {@code a model with that name already exists}.
 */
public final class NameConflictException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final ModelName existing;

    public NameConflictException(ModelName existing) {
        super("a model with that name already exists");
        this.existing = existing;
    }

    /** The model already stored under the other spelling. */
    public ModelName existing() {
        return existing;
    }
}
