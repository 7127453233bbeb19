package io.mbllm.kernels;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A persistent pool of {@code threads - 1} worker threads plus the calling thread that splits index ranges into
 * chunks. Built for the forward pass, which issues about a hundred short parallel sections per token:
 * <ul>
 *   <li>workers stay alive and spin briefly between sections (then park), so a section costs a few hundred
 *   nanoseconds of hand-off instead of a fork/join round trip;</li>
 *   <li>chunks are claimed dynamically from a shared counter (several per thread), so a thread the OS
 *   deschedules on a busy machine does not hold up the others: they take its share;</li>
 *   <li>the caller works on chunks too and returns when every chunk is done.</li>
 * </ul>
 * {@link #forRange} may be called from any thread; concurrent calls from different threads take turns, and a call
 * made from inside a running body runs inline. Nothing is allocated per call.
 */
public final class Parallel implements AutoCloseable {
    /** Work on the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Chunks per thread a range is cut into (at most), for load balancing. */
    private static final int CHUNKS_PER_THREAD = 4;
    /** Busy-wait iterations before a waiting thread yields, then parks (a few tens of microseconds). */
    private static final int SPIN = Integer.getInteger("mbllm.parallel.spin", 20_000);
    private static final int YIELDS = 8;
    /** Ticket index meaning "no chunk claimable" while a new section is being set up. */
    private static final int CLOSED_INDEX = Integer.MAX_VALUE;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();

    // the current section; written by the caller between the two ticket writes of publish()
    private RangeBody body;
    private int n, chunks;
    /** epoch (high 32 bits) and next chunk index (low 32 bits). */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile Thread waitingCaller;
    private final boolean[] parkedFlags;
    private final AtomicInteger parkedCount = new AtomicInteger();

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parkedFlags = new boolean[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int id = i;
            Thread t = new Thread(() -> workLoop(id), "mbllm-parallel-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** A pool with one thread per available core. */
    public static Parallel ofCores() {
        return new Parallel(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code minChunk} indices
     * (a few per thread), and returns when all are done. An exception thrown by the body is rethrown here (after
     * the other chunks finish).
     */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads * CHUNKS_PER_THREAD, n / Math.max(1, minChunk)));
        if (workers.length == 0 || chunks == 1 || closed || isWorker() || lock.isHeldByCurrentThread()) {
            body.run(0, n);
            return;
        }
        lock.lock();
        try {
            publish(body, n, chunks);
            long epoch = ticket.get() >>> 32;
            runChunks(epoch, body, n, chunks);
            awaitDone(chunks);
            this.body = null;
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException r) throw r;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException(f);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean isWorker() {
        Thread me = Thread.currentThread();
        for (Thread w : workers) if (w == me) return true;
        return false;
    }

    /** Makes a new section visible: close the old epoch's counter, write the fields, open the new epoch. */
    private void publish(RangeBody body, int n, int chunks) {
        long epoch = (ticket.get() >>> 32) + 1;
        ticket.set((epoch << 32) | CLOSED_INDEX);
        this.body = body;
        this.n = n;
        this.chunks = chunks;
        done.set(0);
        ticket.set(epoch << 32);
        if (parkedCount.get() > 0) {
            for (int i = 0; i < workers.length; i++) {
                if (parkedFlags[i]) LockSupport.unpark(workers[i]);
            }
        }
    }

    /** Claims and runs chunks of section {@code epoch} until none is left (or the section changed). */
    private void runChunks(long epoch, RangeBody body, int n, int chunks) {
        for (;;) {
            long t = ticket.get();
            if ((t >>> 32) != epoch) return;
            int idx = (int) t;
            if (idx >= chunks) return;
            if (!ticket.compareAndSet(t, t + 1)) continue;
            try {
                body.run((int) ((long) n * idx / chunks), (int) ((long) n * (idx + 1) / chunks));
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
            if (done.incrementAndGet() == chunks) {
                Thread c = waitingCaller;
                if (c != null) LockSupport.unpark(c);
            }
        }
    }

    private void awaitDone(int chunks) {
        for (int i = 0; done.get() < chunks; i++) {
            if (i < SPIN) {
                Thread.onSpinWait();
            } else if (i < SPIN + YIELDS) {
                Thread.yield();
            } else {
                waitingCaller = Thread.currentThread();
                if (done.get() < chunks) LockSupport.parkNanos(100_000);
                waitingCaller = null;
            }
        }
    }

    private void workLoop(int id) {
        long seen = 0;
        while (!closed) {
            long t = ticket.get();
            long epoch = t >>> 32;
            if (epoch == seen || (int) t == CLOSED_INDEX) {
                idle(id, seen);
                continue;
            }
            // optimistic read of the section (see publish): valid only if the epoch has not moved on
            RangeBody b = body;
            int nn = n, nc = chunks;
            VarHandle.acquireFence();
            if (b != null) runChunks(epoch, b, nn, nc);
            seen = epoch;
        }
    }

    /** Waits until the epoch moves past {@code seen}: spin, yield, then park. */
    private void idle(int id, long seen) {
        for (int i = 0; i < SPIN; i++) {
            if ((ticket.get() >>> 32) != seen || closed) return;
            Thread.onSpinWait();
        }
        for (int i = 0; i < YIELDS; i++) {
            if ((ticket.get() >>> 32) != seen || closed) return;
            Thread.yield();
        }
        parkedFlags[id] = true;
        parkedCount.incrementAndGet();
        try {
            while ((ticket.get() >>> 32) == seen && !closed) LockSupport.parkNanos(this, 50_000_000L);
        } finally {
            parkedCount.decrementAndGet();
            parkedFlags[id] = false;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
