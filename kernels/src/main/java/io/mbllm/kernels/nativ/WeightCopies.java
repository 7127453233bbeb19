package io.mbllm.kernels.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.mbllm.kernels.WeightMatrix;

/**
 * The owner of the native copies that the kernels make of one model's weight matrices (packed layouts and
 * huge-page copies, see {@link PackedWeights}): they are unmapped when the owner is closed, not whenever the garbage
 * collector gets to them. A model registers one for the memory scope of the file it mapped ({@link #open}); every
 * matrix whose bytes lie in that scope then gets its copies in this owner's slabs, which hold nothing of any other
 * owner.
 *
 * <p>{@link #close()} first makes every later matmul on the model's matrices fail with an
 * {@link IllegalStateException} naming the model, then waits for the kernel calls in flight on them to return, then
 * unmaps the slabs. An owner that is never closed unmaps them once it is unreachable (its model and every context
 * that used it are gone), as the copies of matrices without an owner are.
 *
 * <p>Thread-safe. Does not need the native library: without it no copy is ever made.
 */
public final class WeightCopies implements AutoCloseable {
    /** Owners by the memory scope of their matrices; a key goes with its scope (the model's mapping). */
    private static final Map<MemorySegment.Scope, WeightCopies> OWNERS = new WeakHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create();
    /** Longest wait in {@link #close()} for kernel calls still running on the copies. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** An address range of native memory holding copies. */
    public record Region(long address, long bytes) {}

    private final String name;
    private final Arena arena;
    final PackedWeights.Store store;
    private final Cleaner.Cleanable unmapIfUnreachable;
    private volatile boolean closed;

    private WeightCopies(String name) {
        this.name = name;
        this.arena = Arena.ofShared();
        this.store = new PackedWeights.Store(this, arena);
        this.unmapIfUnreachable = CLEANER.register(this, new Unmap(arena));
    }

    /**
     * A new owner for the copies of the matrices whose memory is in {@code scope} (normally a model's mapped file).
     *
     * @param name the model, for messages
     * @throws IllegalArgumentException when {@code scope} is not alive
     * @throws IllegalStateException    when an open owner is already registered for {@code scope}
     */
    public static WeightCopies open(MemorySegment.Scope scope, String name) {
        Objects.requireNonNull(name, "name");
        if (!scope.isAlive()) throw new IllegalArgumentException(name + ": the weights' memory is already closed");
        synchronized (OWNERS) {
            WeightCopies prior = OWNERS.get(scope);
            if (prior != null && !prior.isClosed()) {
                throw new IllegalStateException(name + ": the weights' memory already has an owner (" + prior.name + ")");
            }
            WeightCopies c = new WeightCopies(name);
            OWNERS.put(scope, c);
            return c;
        }
    }

    /** The owner registered for {@code scope}, open or closed, or null. */
    static WeightCopies owning(MemorySegment.Scope scope) {
        synchronized (OWNERS) {
            return OWNERS.get(scope);
        }
    }

    /** The model these copies belong to. */
    public String name() {
        return name;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The native mappings (slabs) holding the copies made so far; empty once closed. */
    public List<Region> regions() {
        return closed ? List.of() : store.regions();
    }

    /** Bytes mapped for the copies (whole slabs). */
    public long mappedBytes() {
        long total = 0;
        for (Region r : regions()) total += r.bytes();
        return total;
    }

    IllegalStateException closedError(WeightMatrix w) {
        return new IllegalStateException(w.name() + " belongs to the model " + name + ", which is closed");
    }

    /**
     * Unmaps the copies. Matmuls started after this call fail; those running finish first (the slabs are unmapped
     * once no kernel call holds them). Idempotent.
     *
     * @throws IllegalStateException when kernel calls still hold the copies after 30 seconds (nothing is unmapped)
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true; // a matmul on these matrices now fails before calling a kernel
        store.close(); // waits for a copy being made
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        while (arena.scope().isAlive()) {
            try {
                arena.close(); // runs mbllm_free_packed for every slab
            } catch (IllegalStateException inUse) { // a downcall started before `closed` holds a slab: wait for it
                if (!arena.scope().isAlive()) break;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the weight copies of " + name + " are still in use by a kernel call", inUse);
                }
                LockSupport.parkNanos(100_000);
            }
        }
        unmapIfUnreachable.clean();
    }

    /** Closes the arena of an owner nobody closed, once the owner is unreachable. Must not refer to the owner. */
    private record Unmap(Arena arena) implements Runnable {
        @Override
        public void run() {
            try {
                if (arena.scope().isAlive()) arena.close();
            } catch (IllegalStateException ignored) {
                // already closed by close()
            }
        }
    }
}
