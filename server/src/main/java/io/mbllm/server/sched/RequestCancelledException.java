package io.mbllm.server.sched;

import java.io.Serial;

/** The client went away while its request waited for a model or a slot (HTTP 499). */
public final class RequestCancelledException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public RequestCancelledException() {
        super("request canceled");
    }
}
