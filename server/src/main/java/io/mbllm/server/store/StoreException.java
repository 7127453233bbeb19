package io.mbllm.server.store;

/**
 * A model-store request that cannot be served for a reason the caller can act on (bad name or digest, missing
 * model or blob, a digest mismatch, a damaged file, a name clash). Disk failures are plain
 * {@link java.io.IOException}s. Messages are the API contract's texts.
 */
public abstract sealed class StoreException extends Exception
        permits InvalidModelNameException, InvalidDigestException, DigestMismatchException, ModelNotFoundException,
        BlobNotFoundException, CorruptStoreException, NameConflictException {
    private static final long serialVersionUID = 1L;

    StoreException(String message) {
        super(message);
    }

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
