package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.WeightMatrix;
import io.mbllm.testkit.ProcessMaps;

/**
 * Copies owned by a {@link WeightCopies} (a model's) are unmapped when it closes, observed in
 * {@code /proc/self/maps}: matrices of a mapped file (a Q4_K matrix, packed where the CPU has the layout, and an F16
 * one, copied into huge pages) are placed in the owner's slabs, which no other owner shares; after close the slabs
 * are gone, a matmul on those matrices fails with a clear exception, and one running while the owner closes
 * finishes before anything is unmapped (a use after unmap would crash the JVM).
 */
class WeightCopiesTest {
    private static final int COLS = 1024, Q4K_ROWS = 96, F16_ROWS = 80;

    @TempDir
    Path dir;

    /** A file holding a Q4_K matrix then an F16 matrix (random codes, valid scales), mapped in its own arena. */
    private record Mapped(Arena arena, WeightMatrix q4k, WeightMatrix f16) implements AutoCloseable {
        @Override
        public void close() {
            if (arena.scope().isAlive()) arena.close();
        }
    }

    private static WeightMatrix[] source(int scale) {
        return new WeightMatrix[] {quantized(GgmlType.Q4_K, Q4K_ROWS * scale, COLS, 1), quantized(GgmlType.F16, F16_ROWS * scale, COLS, 2)};
    }

    private Mapped map(String name) throws IOException {
        return map(name, 1);
    }

    /** The matrices of {@link #source} with {@code scale} times the rows, in a file mapped on its own. */
    private Mapped map(String name, int scale) throws IOException {
        WeightMatrix[] src = source(scale);
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            byte[] a = src[0].data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), b = src[1].data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byte[] all = new byte[a.length + b.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            Files.write(file, all);
        }
        Arena arena = Arena.ofShared();
        MemorySegment m;
        try (FileChannel ch = FileChannel.open(file)) {
            m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        long qBytes = src[0].data().byteSize();
        return new Mapped(arena, new WeightMatrix("q4k", GgmlType.Q4_K, m.asSlice(0, qBytes), COLS, src[0].rows()),
                new WeightMatrix("f16", GgmlType.F16, m.asSlice(qBytes), COLS, src[1].rows()));
    }

    private static float[] product(NativeMatMul nat, WeightMatrix w, float[] x) {
        float[] out = new float[w.rows()];
        nat.matmul(w, x, 1, out);
        return out;
    }

    @Test
    void closingTheOwnerUnmapsItsSlabsAndLaterMatmulsFail() throws IOException {
        requireNative();
        ProcessMaps.assumeSupported();
        NativeMatMul nat = new NativeMatMul(POOL);
        float[] x = gaussian(new Random(3), COLS, 1f);
        WeightMatrix[] heap = source(1); // the same bytes, unowned: the expected products
        float[] wantQ = product(nat, heap[0], x), wantF = product(nat, heap[1], x);
        assertNull(PackedWeights.of(heap[0], nat.variant()).owner(), "heap matrices have no owner");

        try (Mapped m = map("a.bin")) {
            WeightCopies owner = WeightCopies.open(m.arena().scope(), "model-a");
            assertArrayEquals(wantQ, product(nat, m.q4k(), x));
            assertArrayEquals(wantF, product(nat, m.f16(), x));
            assertSame(owner, PackedWeights.of(m.f16(), nat.variant()).owner());
            boolean packs = mbllm_kernels_h.mbllm_pack_bytes(nat.variant().id(), GgmlType.Q4_K.id(), Q4K_ROWS, COLS) > 0;
            assertEquals(packs, PackedWeights.of(m.q4k(), nat.variant()).packed(), "Q4_K packed where the variant has the layout");
            List<WeightCopies.Region> regions = owner.regions();
            assertFalse(regions.isEmpty(), "the F16 matrix of a mapped file is copied");
            ProcessMaps before = ProcessMaps.read();
            for (WeightCopies.Region r : regions) {
                assertEquals(0, r.address() % (2 << 20), "slabs start on a huge page");
                assertTrue(before.covers(r.address(), r.bytes()), "slab " + r + " mapped while the owner is open");
            }

            owner.close();
            ProcessMaps after = ProcessMaps.read();
            for (WeightCopies.Region r : regions) assertFalse(after.covers(r.address(), r.bytes()), "slab " + r + " unmapped by close");
            assertTrue(owner.regions().isEmpty());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> product(nat, m.q4k(), x));
            assertEquals("q4k belongs to the model model-a, which is closed", e.getMessage());
            assertThrows(IllegalStateException.class, () -> product(new NativeMatMul(POOL), m.f16(), x), "a new context too");
            assertArrayEquals(wantQ, product(nat, heap[0], x), "unowned matrices keep working");
            owner.close(); // idempotent
        }
    }

    @Test
    void ownersKeepSeparateSlabsAndClosingOneLeavesTheOther() throws IOException {
        requireNative();
        ProcessMaps.assumeSupported();
        NativeMatMul nat = new NativeMatMul(POOL);
        float[] x = gaussian(new Random(4), COLS, 1f);
        try (Mapped a = map("shared.bin"); Mapped b = map("shared.bin")) { // one file mapped twice: two scopes
            WeightCopies ownerA = WeightCopies.open(a.arena().scope(), "a"), ownerB = WeightCopies.open(b.arena().scope(), "b");
            float[] qa = product(nat, a.q4k(), x), fa = product(nat, a.f16(), x);
            assertArrayEquals(qa, product(nat, b.q4k(), x));
            assertArrayEquals(fa, product(nat, b.f16(), x));
            for (WeightCopies.Region ra : ownerA.regions()) {
                for (WeightCopies.Region rb : ownerB.regions()) {
                    assertTrue(ra.address() + ra.bytes() <= rb.address() || rb.address() + rb.bytes() <= ra.address(), ra + " / " + rb);
                }
            }
            List<WeightCopies.Region> keptB = ownerB.regions();
            ownerA.close();
            ProcessMaps maps = ProcessMaps.read();
            for (WeightCopies.Region r : keptB) assertTrue(maps.covers(r.address(), r.bytes()), "b's slab " + r + " survives a's close");
            assertArrayEquals(qa, product(nat, b.q4k(), x));
            assertArrayEquals(fa, product(nat, b.f16(), x));
            ownerB.close();
        }
    }

    @Test
    void aScopeHasOneOpenOwnerAtATime() throws IOException {
        try (Mapped m = map("c.bin")) {
            WeightCopies first = WeightCopies.open(m.arena().scope(), "first");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> WeightCopies.open(m.arena().scope(), "second"));
            assertTrue(e.getMessage().contains("first"), e.getMessage());
            first.close();
            WeightCopies.open(m.arena().scope(), "third").close();
        }
    }

    @Test
    void closeWaitsForTheMatmulsRunningOnTheCopies() throws Exception {
        requireNative();
        ProcessMaps.assumeSupported();
        NativeMatMul nat = new NativeMatMul(POOL);
        float[] x = gaussian(new Random(5), 8 * COLS, 1f);
        try (Mapped m = map("d.bin", 32)) { // 5 MiB of F16: a kernel call lasts long enough to be caught running
            WeightCopies owner = WeightCopies.open(m.arena().scope(), "busy");
            float[] out = new float[8 * Math.max(m.q4k().rows(), m.f16().rows())];
            nat.matmul(m.q4k(), x, 8, out);
            List<WeightCopies.Region> regions = owner.regions();
            AtomicLong calls = new AtomicLong();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    while (true) {
                        nat.matmul(m.q4k(), x, 8, out);
                        nat.matmul(m.f16(), x, 8, out);
                        calls.incrementAndGet();
                    }
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            runner.start();
            while (calls.get() < 50) Thread.onSpinWait();
            owner.close(); // with matmuls in flight on the pool's threads
            runner.join(10_000);
            assertFalse(runner.isAlive());
            assertInstanceOf(IllegalStateException.class, ended.get());
            assertTrue(ended.get().getMessage().contains("closed"), ended.get().toString());
            ProcessMaps after = ProcessMaps.read();
            for (WeightCopies.Region r : regions) assertFalse(after.covers(r.address(), r.bytes()), "slab " + r + " unmapped");
        }
    }
}
