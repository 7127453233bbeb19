package io.mbllm.server.sched;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import io.mbllm.engine.model.ModelLoadException;

/**
 * Loads models on first use and hands out their slots (api-contract §0.6, §2). Each loaded model has
 * {@code num_parallel} slots; a request that finds none free waits in FIFO order (fair permits), and when
 * more than {@code max_queue} requests wait the next one gets a {@link ServerBusyException}. At most
 * {@code max_loaded_models} models are resident: loading another evicts the idle model that expires first, or
 * waits for one to become idle. An idle model is unloaded when its keep_alive (the last request's) runs out;
 * 0 unloads at once, negative never. Waiting requests poll their cancellation flag (client gone ⇒
 * {@link RequestCancelledException}).
 */
public final class Scheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
    private static final long POLL_MS = 20;
    /** "Forever" for {@code expires_at}: about 292 years ahead, as Ollama reports it. */
    static final Duration FOREVER = Duration.ofDays(365L * 292);

    /** A loaded model as {@code /api/ps} shows it. */
    public record Running(ResolvedModel model, Instant expiresAt, int contextLength, long size, int activeRequests) {}

    private final SchedulerConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, LoadedModel> loaded = new LinkedHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger leases = new AtomicInteger();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mbllm-keepalive");
        t.setDaemon(true);
        return t;
    });

    public Scheduler(SchedulerConfig config) {
        this.config = config;
    }

    public SchedulerConfig config() {
        return config;
    }

    private static String key(ResolvedModel m) {
        return m.ref().key() + "@" + m.digest();
    }

    /**
     * Waits for a slot of {@code model} (loading it first if needed) with a context of {@code numCtx} tokens.
     *
     * @param keepAlive how long the model stays loaded once idle after this request
     * @param cancelled polled while waiting
     * @throws ServerBusyException       when more than {@code max_queue} requests already wait
     * @throws RequestCancelledException when {@code cancelled} turns true while waiting
     * @throws IOException               when the model file cannot be read
     * @throws ModelLoadException        when the model cannot be run
     * @throws IllegalArgumentException  when a context of {@code numCtx} does not fit in memory
     */
    public Lease acquire(ResolvedModel model, int numCtx, KeepAlive keepAlive, BooleanSupplier cancelled)
            throws ServerBusyException, RequestCancelledException, IOException, ModelLoadException {
        long t0 = System.nanoTime();
        LoadedModel lm = retainIfLoaded(model);
        boolean permit = lm != null && lm.permits.tryAcquire();
        if (!permit) {
            if (queued.incrementAndGet() > config.maxQueue()) {
                queued.decrementAndGet();
                if (lm != null) releaseUser(lm, null);
                throw new ServerBusyException();
            }
            try {
                if (lm == null) lm = loadAndRetain(model, cancelled);
                try {
                    while (!lm.permits.tryAcquire(POLL_MS, TimeUnit.MILLISECONDS)) {
                        if (cancelled.getAsBoolean()) throw new RequestCancelledException();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    releaseUser(lm, null);
                    throw new RequestCancelledException();
                } catch (RequestCancelledException e) {
                    releaseUser(lm, null);
                    throw e;
                }
            } finally {
                queued.decrementAndGet();
            }
        }
        Slot slot;
        try {
            slot = lm.takeSlot(Math.max(1, Math.min(numCtx, capFor(lm))));
        } catch (RuntimeException e) {
            lm.permits.release();
            releaseUser(lm, null);
            throw e;
        }
        leases.incrementAndGet();
        return new Lease(this, lm, slot, System.nanoTime() - t0, keepAlive);
    }

    /** The largest {@code num_ctx} a request may get: the model's trained context (when known). */
    private static int capFor(LoadedModel lm) {
        int trained = lm.trainedContextLength();
        return trained > 0 ? trained : Integer.MAX_VALUE;
    }

    /** The default {@code num_ctx} for a model: the configured length capped at the trained context. */
    public int defaultNumCtx(int trainedContextLength) {
        return trainedContextLength > 0 ? Math.min(config.contextLength(), trainedContextLength) : config.contextLength();
    }

    private LoadedModel retainIfLoaded(ResolvedModel model) {
        lock.lock();
        try {
            LoadedModel lm = loaded.get(key(model));
            if (lm == null || lm.closed) return null;
            retainLocked(lm);
            return lm;
        } finally {
            lock.unlock();
        }
    }

    private void retainLocked(LoadedModel lm) {
        lm.users++;
        if (lm.expiryTimer != null) {
            lm.expiryTimer.cancel(false);
            lm.expiryTimer = null;
        }
    }

    private LoadedModel loadAndRetain(ResolvedModel model, BooleanSupplier cancelled)
            throws IOException, ModelLoadException, RequestCancelledException {
        lock.lock();
        try {
            while (true) {
                LoadedModel lm = loaded.get(key(model));
                if (lm != null && !lm.closed) {
                    retainLocked(lm);
                    return lm;
                }
                if (loaded.size() < config.maxLoadedModels() || evictOneIdleLocked()) break;
                if (cancelled.getAsBoolean()) throw new RequestCancelledException();
                try {
                    changed.await(POLL_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RequestCancelledException();
                }
            }
            LoadedModel lm = LoadedModel.load(model, config.numParallel(), config.threads());
            LOG.log(System.Logger.Level.INFO, "loaded {0} from {1}", model.ref().display(), model.file());
            loaded.put(key(model), lm);
            retainLocked(lm);
            return lm;
        } finally {
            lock.unlock();
        }
    }

    private boolean evictOneIdleLocked() {
        LoadedModel victim = loaded.values().stream().filter(m -> m.users == 0)
                .min(Comparator.comparing(m -> m.expiresAt == null ? Instant.MIN : m.expiresAt)).orElse(null);
        if (victim == null) return false;
        unloadLocked(victim);
        return true;
    }

    void release(LoadedModel lm, Slot slot, KeepAlive keepAlive) {
        lm.returnSlot(slot);
        lm.permits.release();
        leases.decrementAndGet();
        releaseUser(lm, keepAlive);
    }

    private void releaseUser(LoadedModel lm, KeepAlive keepAlive) {
        lock.lock();
        try {
            lm.users--;
            if (keepAlive != null) lm.keepAlive = keepAlive;
            if (lm.users == 0 && !lm.closed) startExpiryLocked(lm);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void startExpiryLocked(LoadedModel lm) {
        KeepAlive ka = lm.keepAlive;
        if (ka.zero() || lm.unloadRequested) {
            unloadLocked(lm);
            return;
        }
        if (ka.forever()) {
            lm.expiresAt = Instant.now().plus(FOREVER);
            return;
        }
        lm.expiresAt = Instant.now().plus(ka.duration());
        lm.expiryTimer = timers.schedule(() -> expire(lm), ka.duration().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void expire(LoadedModel lm) {
        lock.lock();
        try {
            if (lm.users == 0 && !lm.closed) unloadLocked(lm);
        } finally {
            lock.unlock();
        }
    }

    private void unloadLocked(LoadedModel lm) {
        loaded.values().remove(lm);
        if (lm.expiryTimer != null) lm.expiryTimer.cancel(false);
        lm.expiryTimer = null;
        lm.close();
        LOG.log(System.Logger.Level.INFO, "unloaded {0}", lm.resolved().ref().display());
        changed.signalAll();
    }

    /**
     * Unloads every loaded instance of the model {@code ref} now if idle, else as soon as its requests finish.
     *
     * @return whether it was loaded
     */
    public boolean unload(ModelRef ref) {
        lock.lock();
        try {
            boolean found = false;
            for (LoadedModel lm : List.copyOf(loaded.values())) {
                if (!lm.resolved().ref().key().equals(ref.key())) continue;
                found = true;
                if (lm.users == 0) unloadLocked(lm);
                else lm.unloadRequested = true;
            }
            return found;
        } finally {
            lock.unlock();
        }
    }

    /** The loaded models, longest remaining time first. */
    public List<Running> running() {
        lock.lock();
        try {
            List<Running> out = new ArrayList<>();
            for (LoadedModel lm : loaded.values()) {
                Instant exp = lm.users > 0 || lm.expiresAt == null
                        ? (lm.keepAlive.forever() ? Instant.now().plus(FOREVER) : Instant.now().plus(lm.keepAlive.duration()))
                        : lm.expiresAt;
                out.add(new Running(lm.resolved(), exp, lm.contextLength(), lm.residentBytes(), lm.users));
            }
            out.sort(Comparator.comparing(Running::expiresAt).reversed());
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting for a model or a slot. */
    public int queued() {
        return queued.get();
    }

    /** Slots currently held by requests. */
    public int activeLeases() {
        return leases.get();
    }

    /** Unloads every model and stops the timer thread. */
    @Override
    public void close() {
        lock.lock();
        try {
            for (LoadedModel lm : List.copyOf(loaded.values())) unloadLocked(lm);
        } finally {
            lock.unlock();
        }
        timers.shutdownNow();
    }
}
