package io.mbllm.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * A pool sized to the cores (or to {@code threads}) that splits index ranges into contiguous chunks. The
 * calling thread takes part in the work.
 */
public final class Parallel implements AutoCloseable {
    /** Work on the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** A pool with one thread per available core. */
    public static Parallel ofCores() {
        return new Parallel(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} split into about {@code threads} chunks (at least {@code minChunk} each). */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads, n / Math.max(1, minChunk)));
        if (pool == null || chunks == 1) {
            body.run(0, n);
            return;
        }
        pool.invoke(new Split(body, n, chunks, 0, chunks));
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Split(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run((int) ((long) n * lo / chunks), (int) ((long) n * hi / chunks));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Split(body, n, chunks, lo, mid), new Split(body, n, chunks, mid, hi));
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
