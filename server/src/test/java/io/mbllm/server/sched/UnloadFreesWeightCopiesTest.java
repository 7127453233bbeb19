package io.mbllm.server.sched;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.Model;
import io.mbllm.kernels.nativ.NativeMatMul;
import io.mbllm.kernels.nativ.WeightCopies;
import io.mbllm.testkit.ProcessMaps;
import io.mbllm.testkit.SharedData;

/**
 * Unloading a model (keep_alive 0, the path of {@code mbllm stop} and of an expiring keep_alive) closes it, and with
 * it unmaps the copies the native kernels made of its weights (stories260K is all F32: every matrix is copied into
 * huge pages), observed in {@code /proc/self/maps}; the next request loads it again and runs.
 */
class UnloadFreesWeightCopiesTest {
    @Test
    void unloadingAModelUnmapsItsWeightCopies() throws Exception {
        assumeTrue(NativeMatMul.isAvailable(), "the native kernels (which make the copies) are unavailable");
        ProcessMaps.assumeSupported();
        ResolvedModel stories = new MemoryModelResolver().addFile("stories", SharedData.require("models/stories260K.gguf"))
                .resolve(ModelRef.parse("stories")).orElseThrow();
        try (Scheduler scheduler = new Scheduler(SchedulerConfig.defaults().withThreads(2))) {
            Model model;
            List<WeightCopies.Region> regions;
            float[] first;
            try (Lease lease = scheduler.acquire(stories, 64, KeepAlive.ZERO, () -> false)) {
                model = lease.model().model();
                first = lease.slot().context().step(1).clone();
                regions = model.weightCopies().regions();
                assertFalse(regions.isEmpty(), "the step copied the weights");
                ProcessMaps maps = ProcessMaps.read();
                for (WeightCopies.Region r : regions) assertTrue(maps.covers(r.address(), r.bytes()), r + " mapped");
            }
            assertTrue(scheduler.running().isEmpty(), "keep_alive 0 unloads after the request");
            assertTrue(model.isClosed());
            ProcessMaps maps = ProcessMaps.read();
            for (WeightCopies.Region r : regions) assertFalse(maps.covers(r.address(), r.bytes()), r + " unmapped by the unload");

            try (Lease lease = scheduler.acquire(stories, 64, KeepAlive.ZERO, () -> false)) {
                assertNotSame(model, lease.model().model());
                assertArrayEquals(first, lease.slot().context().step(1), "loaded again, same logits");
            }
        }
    }
}
