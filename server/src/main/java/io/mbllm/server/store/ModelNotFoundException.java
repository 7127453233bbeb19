package io.mbllm.server.store;

/** No manifest for the name; message {@code model '<name>' not found} with the name as requested. */
public final class ModelNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String name;

    public ModelNotFoundException(String name) {
        super("model '" + name + "' not found");
        this.name = name;
    }

    /** The name as the caller gave it. */
    public String name() {
        return name;
    }
}
