package io.mbllm.engine.eval;

import java.io.IOException;

/** A KL-divergence base file is malformed: wrong magic, impossible header, truncated, or bad token ids. */
public final class LogitsFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public LogitsFileException(String message) {
        super(message);
    }
}
