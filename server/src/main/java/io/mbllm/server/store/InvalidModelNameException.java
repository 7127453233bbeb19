package io.mbllm.server.store;

/** A model name outside the grammar of api-contract.md §0.2; message {@code invalid model name}. */
public final class InvalidModelNameException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String input;

    public InvalidModelNameException(String input) {
        super("invalid model name");
        this.input = input;
    }

    /** The rejected text. */
    public String input() {
        return input;
    }
}
