package io.mbllm.engine.sample;

import java.io.Serial;

/**
 * An option of a request, a Modelfile or a command line has a bad type or value. The message names the
 * option and says what is allowed (the server answers it as a 400, the CLI as {@code Error: ...}).
 */
public final class InvalidOptionException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String option;

    public InvalidOptionException(String option, String message) {
        super(message);
        this.option = option;
    }

    /** The option name as written by the caller, e.g. {@code top_p}. */
    public String option() {
        return option;
    }
}
