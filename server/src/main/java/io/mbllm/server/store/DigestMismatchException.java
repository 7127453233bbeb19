package io.mbllm.server.store;

/**
 * Uploaded bytes whose SHA-256 differs from the announced digest; nothing was stored. Message
 * {@code digest mismatch, expected "sha256:<d>", got "sha256:<d2>"}.
 */
public final class DigestMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final Digest expected;
    private final Digest actual;

    public DigestMismatchException(Digest expected, Digest actual) {
        super("digest mismatch, expected \"" + expected + "\", got \"" + actual + "\"");
        this.expected = expected;
        this.actual = actual;
    }

    /** The announced digest. */
    public Digest expected() {
        return expected;
    }

    /** The digest of the bytes received. */
    public Digest actual() {
        return actual;
    }
}
