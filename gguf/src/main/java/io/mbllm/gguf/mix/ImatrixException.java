package io.mbllm.gguf.mix;

import java.io.IOException;

/** An importance-matrix file that cannot be used: malformed, truncated, or missing required metadata. */
public final class ImatrixException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImatrixException(String message) {
        super(message);
    }

    public ImatrixException(String message, Throwable cause) {
        super(message, cause);
    }
}
