package io.mbllm.engine.generate;

import java.io.Serial;

/** A generation request that cannot run: empty prompt, or a prompt longer than the context without truncation. */
public class GenerationException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public GenerationException(String message) {
        super(message);
    }
}
