package io.mbllm.cli;

/** A client-side failure of a verb (bad argument, missing file), printed as {@code Error: <message>}, exit 1. */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }
}
