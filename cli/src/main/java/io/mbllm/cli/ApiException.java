package io.mbllm.cli;

/**
 * A failed call to the server: the HTTP status (0 when the server could not be reached) and the server's
 * {@code error} message, printed by the verbs as {@code Error: <message>}.
 */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The message when nothing listens at the server address. */
    public static final String NOT_RUNNING = "could not connect to mbllm server, run 'mbllm serve' to start it";

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 for a connection failure. */
    public int status() {
        return status;
    }
}
