package io.mbllm.server.api;

import java.io.Serial;

/**
 * A request that fails with a definite HTTP status and message (api-contract §0.4). Handlers throw it; the
 * router renders it as {@code {"error":"..."}} (native) or the OpenAI error envelope.
 */
public class ApiException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ApiException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** 400: bad JSON, missing or invalid field, invalid name, missing capability. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    /** 404 {@code model '<name>' not found}. */
    public static ApiException modelNotFound(String name) {
        return new ApiException(404, "model '" + name + "' not found");
    }

    /** 404 with a custom message. */
    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    /** 503: the queue of pending requests is full. */
    public static ApiException busy() {
        return new ApiException(503, "server busy, please try again.  maximum pending requests exceeded");
    }

    /** 499: the client went away while waiting for the model. */
    public static ApiException cancelled() {
        return new ApiException(499, "request canceled");
    }
}
