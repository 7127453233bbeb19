package io.mbllm.engine.oracle;

import java.time.Duration;

/** Prints the wall time of each oracle stage (generate, hash, quantize, forward), for the CI budget. */
final class OracleTiming {
    private OracleTiming() {}

    static void record(String stage, Duration d) {
        System.err.printf("[oracle-time] %-48s %8.1f s%n", stage, d.toNanos() / 1e9);
    }

    /** Runs {@code body} and records its time under {@code stage}. */
    static <T, E extends Exception> T time(String stage, ThrowingSupplier<T, E> body) throws E {
        long t0 = System.nanoTime();
        try {
            return body.get();
        } finally {
            record(stage, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** A supplier that may throw. */
    @FunctionalInterface
    interface ThrowingSupplier<T, E extends Exception> {
        T get() throws E;
    }
}
