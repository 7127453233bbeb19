package io.mbllm.engine.synth;

import java.io.IOException;

/** A synthetic model cannot be built as asked (e.g. the vocab file lacks a tokenizer or is too short). */
public final class SynthException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An error with this message. */
    public SynthException(String message) {
        super(message);
    }
}
