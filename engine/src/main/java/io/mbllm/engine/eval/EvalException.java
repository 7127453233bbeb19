package io.mbllm.engine.eval;

/**
 * An evaluation cannot run with the given input: too few tokens for the context size, a context size too
 * small to score anything, or a base file that does not fit the model. The message says which.
 */
public final class EvalException extends Exception {
    private static final long serialVersionUID = 1L;

    public EvalException(String message) {
        super(message);
    }
}
