package io.mbllm.server.store;

/** A digest not of the form {@code sha256:<64 hex>} or {@code sha256-<64 hex>}; message {@code invalid digest format}. */
public final class InvalidDigestException extends StoreException {
    private static final long serialVersionUID = 1L;

    public InvalidDigestException() {
        super("invalid digest format");
    }
}
