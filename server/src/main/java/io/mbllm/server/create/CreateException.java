package io.mbllm.server.create;

/**
 * A create request that fails for a definite reason, with the HTTP status the API answers (api-contract §3.10):
 * 400 for a bad request (invalid name or digest, unsupported quantization, a source that is no GGUF), 404 for a
 * missing base model or blob, 500 for a failure of the server itself.
 */
public final class CreateException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public CreateException(int status, String message) {
        super(message);
        this.status = status;
    }

    public CreateException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** 400 with {@code message}. */
    public static CreateException badRequest(String message) {
        return new CreateException(400, message);
    }

    /** 404 with {@code message}. */
    public static CreateException notFound(String message) {
        return new CreateException(404, message);
    }

    /** The HTTP status: 400, 404 or 500. */
    public int status() {
        return status;
    }
}
