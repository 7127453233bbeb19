package io.mbllm.engine.generate;

/** Why a generation ended; {@link #wireName()} is Ollama's {@code done_reason}. */
public enum DoneReason {
    /** An end-of-generation token or a stop string. */
    STOP("stop"),
    /** {@code num_predict} tokens generated, or the context is full. */
    LENGTH("length"),
    /** The caller cancelled it. */
    CANCELLED("cancelled");

    private final String wireName;

    DoneReason(String wireName) {
        this.wireName = wireName;
    }

    /** The {@code done_reason} string of the API. */
    public String wireName() {
        return wireName;
    }
}
