package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.nativ.NativeMatMul;
import io.mbllm.kernels.nativ.WeightCopies;
import io.mbllm.testkit.ProcessMaps;

/**
 * {@link Model#close()} unmaps the native copies the kernels made of the model's weights (and the file), observed
 * in {@code /proc/self/maps}, rather than leaving them to the garbage collector; a model opened afterwards works,
 * two models of one file keep separate copies, and a context of a closed model fails with a clear exception, also
 * when the close comes while it is generating on another thread. The model is a synthetic llama written as a real
 * GGUF file, Q4_K (packed on AVX-512) with F16 attention and output matrices (copied into huge pages). Copies are
 * turned on here ({@code mbllm.repack}) although this module's tests run with them off.
 */
class ModelCloseTest {
    private static final Parallel POOL = new Parallel(2);
    private static final int[] PROMPT = {1, 7, 22, 3, 39, 0, 15, 8};

    @TempDir
    static Path dir;
    private static Path file;
    private static String repack;

    @BeforeAll
    static void copiesOn() {
        repack = System.setProperty("mbllm.repack", "true");
    }

    @AfterAll
    static void restore() {
        if (repack == null) System.clearProperty("mbllm.repack");
        else System.setProperty("mbllm.repack", repack);
        POOL.close();
    }

    @BeforeEach
    void requirements() throws Exception {
        assumeTrue(NativeMatMul.isAvailable(), "the native kernels (which make the copies) are unavailable");
        ProcessMaps.assumeSupported();
        if (file == null) file = GgufRoundTripTest.write(mixed(), dir.resolve("mixed.gguf"));
    }

    /** Q4_K FFN matrices and token embedding, F16 attention and output matrices. */
    private static InMemorySource mixed() {
        InMemorySource q = Synthetic.llama(false, GgmlType.Q4_K, 256, 512), f = Synthetic.llama(false, GgmlType.F16, 256, 512);
        for (String name : List.copyOf(q.tensors.keySet())) {
            if (name.contains(".attn_q.") || name.contains(".attn_k.") || name.contains(".attn_v.") || name.contains(".attn_output.")
                    || name.equals("output.weight")) {
                q.tensors.put(name, f.tensors.get(name));
            }
        }
        return q;
    }

    private static InferenceContext context(Model m) {
        return m.newContext(ContextOptions.of(Synthetic.CTX).withMaxBatch(8).withParallel(POOL).withMatMul(new NativeMatMul(POOL)));
    }

    private static float[] logits(Model m) throws Exception {
        try (InferenceContext ctx = context(m)) {
            return ctx.evaluate(PROMPT).clone();
        }
    }

    private static void assertMapped(List<WeightCopies.Region> regions, boolean mapped) {
        ProcessMaps maps = ProcessMaps.read();
        for (WeightCopies.Region r : regions) {
            assertEquals(mapped, maps.covers(r.address(), r.bytes()), () -> "slab " + r + (mapped ? " mapped" : " unmapped"));
        }
    }

    @Test
    void closeUnmapsTheCopiesAndTheFileAndALaterModelWorks() throws Exception {
        Model a = Model.open(file);
        InferenceContext ctx = context(a);
        float[] want = ctx.evaluate(PROMPT).clone();
        List<WeightCopies.Region> regions = a.weightCopies().regions();
        assertFalse(regions.isEmpty(), "the forward pass copied the weights");
        assertMapped(regions, true);
        assertTrue(ProcessMaps.read().maps(file));

        a.close();
        assertMapped(regions, false);
        assertFalse(ProcessMaps.read().maps(file), "the file is unmapped too");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ctx.step(5));
        assertEquals("the model " + file + " is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> context(a));
        a.close(); // idempotent

        try (Model b = Model.open(file)) {
            assertArrayEquals(want, logits(b));
            assertFalse(b.weightCopies().regions().isEmpty());
            assertMapped(b.weightCopies().regions(), true);
        }
    }

    @Test
    void twoModelsOfOneFileKeepSeparateCopies() throws Exception {
        Model a = Model.open(file);
        try (Model b = Model.open(file)) {
            float[] want = logits(a);
            assertArrayEquals(want, logits(b));
            List<WeightCopies.Region> ra = a.weightCopies().regions(), rb = b.weightCopies().regions();
            assertFalse(ra.isEmpty() || rb.isEmpty());
            for (WeightCopies.Region x : ra) {
                for (WeightCopies.Region y : rb) {
                    assertTrue(x.address() + x.bytes() <= y.address() || y.address() + y.bytes() <= x.address(), x + " / " + y);
                }
            }
            a.close();
            assertMapped(ra, false);
            assertMapped(rb, true);
            assertArrayEquals(want, logits(b), "closing a leaves b's copies alone");
        }
    }

    @Test
    void closingWhileAnotherThreadGeneratesStopsItWithAClearError() throws Exception {
        Model m = Model.open(file);
        InferenceContext ctx = context(m);
        ctx.evaluate(PROMPT);
        List<WeightCopies.Region> regions = m.weightCopies().regions();
        assertFalse(regions.isEmpty());
        AtomicInteger steps = new AtomicInteger();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread generator = new Thread(() -> {
            try {
                while (true) {
                    if (ctx.position() == ctx.contextLength()) ctx.reset();
                    ctx.step(steps.incrementAndGet() % Synthetic.VOCAB);
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        generator.start();
        while (steps.get() < 20) Thread.onSpinWait();
        m.close();
        generator.join(10_000);
        assertFalse(generator.isAlive());
        assertInstanceOf(IllegalStateException.class, ended.get());
        assertTrue(ended.get().getMessage().contains("closed"), ended.get().toString());
        assertMapped(regions, false);
    }
}
