package io.mbllm.engine.model;

/**
 * A model cannot be loaded: unsupported architecture, a missing or mistyped metadata key, a missing tensor,
 * a tensor of the wrong shape, or a weight type mbllm cannot compute with. The message names the culprit.
 */
public final class ModelLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }
}
