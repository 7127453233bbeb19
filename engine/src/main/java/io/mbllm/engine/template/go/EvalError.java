package io.mbllm.engine.template.go;

/** Internal execution failure without location; the executor adds line, column and action. */
final class EvalError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvalError(String message) {
        super(message, null, false, false);
    }
}
