package io.mbllm.server.store;

/** A manifest, config blob or layer that cannot be read as what it claims to be (the message names the file). */
public final class CorruptStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    public CorruptStoreException(String message) {
        super(message);
    }

    public CorruptStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
