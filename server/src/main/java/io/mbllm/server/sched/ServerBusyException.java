package io.mbllm.server.sched;

import java.io.Serial;

/** The queue of requests waiting for a slot is full (HTTP 503). */
public final class ServerBusyException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public ServerBusyException() {
        super("server busy, please try again.  maximum pending requests exceeded");
    }
}
