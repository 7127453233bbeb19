package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mbllm.kernels.Parallel;

/**
 * The KV cache in the mode the surefire execution sets: F16 (exact mode, native memory) takes 2 bytes an element and
 * is refused up front when it exceeds the machine's memory; float32 takes 4 (and is bounded by the heap, see
 * ArchitecturesTest). A context's cache is usable until the context is closed, and a closed context fails clearly.
 */
class KvCacheTest {
    private static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @Test
    void bytesFollowTheElementType() throws Exception {
        Model m = Model.load(Synthetic.llama(true));
        long elements = 0;
        for (int l = 0; l < m.config().blockCount(); l++) elements += 64L * (m.config().keyDim(l) + m.config().valueDim(l));
        try (InferenceContext ctx = m.newContext(ContextOptions.of(64).withMaxBatch(4).withParallel(POOL))) {
            assertEquals(elements * (KvCache.F16 ? 2 : 4), ctx.kvCacheBytes());
            ctx.evaluate(new int[] {1, 2, 3});
            assertEquals(3, ctx.position());
        }
    }

    @Test
    void f16CacheBeyondTheMachinesMemoryIsRefusedUpFront() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(KvCache.F16, "float32 cache: ArchitecturesTest covers the heap bound");
        Model m = Model.load(Synthetic.llama(true));
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        long perToken = 0;
        for (int l = 0; l < m.config().blockCount(); l++) perToken += 2L * (m.config().keyDim(l) + m.config().valueDim(l));
        int ctxLen = (int) Math.min(Integer.MAX_VALUE, physical / perToken + 1_000_000);
        org.junit.jupiter.api.Assumptions.assumeTrue((long) ctxLen * perToken > physical, "machine too large for this check");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.newContext(ContextOptions.of(ctxLen).withMaxBatch(1).withParallel(POOL)));
        assertTrue(e.getMessage().contains("KV cache (F16)") && e.getMessage().contains("MiB of memory"), e.getMessage());
    }

    @Test
    void closedContextFailsClearly() throws Exception {
        Model m = Model.load(Synthetic.llama(true));
        InferenceContext ctx = m.newContext(ContextOptions.of(16).withMaxBatch(2).withParallel(POOL));
        ctx.step(1);
        ctx.close();
        ctx.close(); // twice is harmless
        if (KvCache.F16) assertThrows(IllegalStateException.class, () -> ctx.step(2));
    }
}
