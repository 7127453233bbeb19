package io.mbllm.server.store;

/** A blob the request needs is not in the store; message {@code blob sha256:<hex> not found}. */
public final class BlobNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final Digest digest;

    public BlobNotFoundException(Digest digest) {
        super("blob " + digest + " not found");
        this.digest = digest;
    }

    /** The missing blob. */
    public Digest digest() {
        return digest;
    }
}
