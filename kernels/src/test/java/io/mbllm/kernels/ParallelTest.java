package io.mbllm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class ParallelTest {
    /** Every index of every section is visited exactly once, over many back-to-back sections of varying sizes. */
    @Test
    void everyIndexOnceAcrossManySections() {
        for (int threads = 1; threads <= 3; threads++) {
            try (Parallel p = new Parallel(threads)) {
                for (int round = 0; round < 2000; round++) {
                    int n = 1 + (round * 37) % 700;
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    p.forRange(n, 1 + round % 5, (from, to) -> {
                        for (int i = from; i < to; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "threads " + threads + " n " + n + " index " + i);
                }
            }
        }
    }

    @Test
    void workIsSharedWithTheWorker() throws Exception {
        try (Parallel p = new Parallel(2)) {
            java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 200 && seen.size() < 2; round++) {
                p.forRange(64, 1, (from, to) -> {
                    seen.add(Thread.currentThread());
                    long end = System.nanoTime() + 20_000;
                    while (System.nanoTime() < end) Thread.onSpinWait();
                });
            }
            assertEquals(2, seen.size(), "both threads ran chunks");
        }
    }

    @Test
    void bodyExceptionIsRethrownAfterTheOthersFinish() {
        try (Parallel p = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forRange(100, 1, (from, to) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
                if (from == 0) throw boom;
            }));
            assertSame(boom, e);
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
            // the pool still works afterwards
            AtomicIntegerArray again = new AtomicIntegerArray(10);
            p.forRange(10, 1, (from, to) -> { for (int i = from; i < to; i++) again.incrementAndGet(i); });
            for (int i = 0; i < 10; i++) assertEquals(1, again.get(i));
        }
    }

    @Test
    void nestedSectionsRunInline() {
        try (Parallel p = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(40 * 30);
            p.forRange(40, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int row = i;
                    p.forRange(30, 1, (a, b) -> { for (int j = a; j < b; j++) hits.incrementAndGet(row * 30 + j); });
                }
            });
            for (int i = 0; i < hits.length(); i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void concurrentCallersTakeTurns() throws Exception {
        try (Parallel p = new Parallel(2); ExecutorService ex = Executors.newFixedThreadPool(3)) {
            Future<?>[] fs = new Future<?>[3];
            for (int c = 0; c < fs.length; c++) {
                fs[c] = ex.submit(() -> {
                    for (int round = 0; round < 300; round++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(257);
                        p.forRange(257, 1, (from, to) -> { for (int i = from; i < to; i++) hits.incrementAndGet(i); });
                        for (int i = 0; i < 257; i++) assertEquals(1, hits.get(i));
                    }
                    return null;
                });
            }
            for (Future<?> f : fs) f.get();
        }
    }

    @Test
    void afterCloseRunsInline() {
        Parallel p = new Parallel(2);
        p.close();
        int[] calls = {0};
        p.forRange(100, 1, (from, to) -> calls[0] += to - from);
        assertEquals(100, calls[0]);
        assertTrue(p.threads() == 2);
    }
}
