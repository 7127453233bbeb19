package io.mbllm.server.sched;

/**
 * A request's hold on one slot of a loaded model. Closing it returns the slot, releases the permit and starts
 * the keep_alive timer when the model becomes idle; closing twice is harmless.
 */
public final class Lease implements AutoCloseable {
    private final Scheduler scheduler;
    private final LoadedModel model;
    private final Slot slot;
    private final long loadNanos;
    private final KeepAlive keepAlive;
    private boolean closed;

    Lease(Scheduler scheduler, LoadedModel model, Slot slot, long loadNanos, KeepAlive keepAlive) {
        this.scheduler = scheduler;
        this.model = model;
        this.slot = slot;
        this.loadNanos = loadNanos;
        this.keepAlive = keepAlive;
    }

    public LoadedModel model() {
        return model;
    }

    public Slot slot() {
        return slot;
    }

    /** Nanoseconds from the request until the model and slot were ready. */
    public long loadNanos() {
        return loadNanos;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        scheduler.release(model, slot, keepAlive);
    }
}
