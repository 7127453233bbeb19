package io.mbllm.server.modelfile;

/**
 * A parameter (Modelfile {@code PARAMETER} or API option) has an unknown name or a value of the wrong type:
 * {@code unknown parameter 'x'}, {@code invalid float value [x]}, {@code invalid int value [x]},
 * {@code invalid bool value [x]}, or for JSON values {@code option "x" must be of type float32}.
 */
public final class ParameterException extends Exception {
    private static final long serialVersionUID = 1L;

    public ParameterException(String message) {
        super(message);
    }
}
