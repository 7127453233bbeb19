package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;

/**
 * Generating a token allocates nothing on any thread (the brief: hot loops allocate nothing): garbage made per token
 * grows the young generation page by page, and with it the resident memory that the speed benchmarks hold to a
 * budget. Counted with the JVM's per-thread allocation counters summed over all threads (the pool's workers run the
 * matmuls and the attention), after a warm-up that lets the JIT settle. Runs in whatever mode the surefire execution
 * sets (exact mode with the native flash attention, or float32 attention).
 */
class GenerationAllocationTest {
    private static final Parallel POOL = new Parallel(2);
    private static final int[] PROMPT = {1, 7, 22, 3, 39, 0, 15, 8};
    private static final int STEPS = 40;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "Q8_0", "Q4_K"})
    void decodingAllocatesNothing(GgmlType type) throws Exception {
        var bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean tb && tb.isThreadAllocatedMemorySupported(),
                "this JVM does not count allocated bytes");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        threads.setThreadAllocatedMemoryEnabled(true);
        Model m = Model.load(Synthetic.llama(false, type, 256, 512));
        try (InferenceContext ctx = m.newContext(ContextOptions.of(Synthetic.CTX).withMaxBatch(8).withParallel(POOL))) {
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 30; round++) { // the JIT compiles the loops in the first rounds
                ctx.reset();
                ctx.evaluate(PROMPT);
                int token = 5;
                long before = threads.getTotalThreadAllocatedBytes();
                for (int i = 0; i < STEPS; i++) token = argmax(ctx.step(token));
                least = Math.min(least, threads.getTotalThreadAllocatedBytes() - before);
            }
            long bytes = least;
            // a few hundred bytes of JVM bookkeeping may land in the window (other threads); one allocation per
            // layer or head per token would be thousands
            assertTrue(bytes < 1024, () -> type + ": " + STEPS + " decode steps allocated " + bytes + " bytes");
        }
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < Synthetic.VOCAB; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
