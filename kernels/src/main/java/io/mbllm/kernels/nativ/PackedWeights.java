package io.mbllm.kernels.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.mbllm.kernels.WeightMatrix;

/**
 * Packed copies of weight matrices, and huge-page copies of mapped ones: for weight types where a kernel variant has an interleaved-row layout
 * ({@code mbllm_pack_bytes} &gt; 0; today Q4_0, Q8_0 and Q4_K with the AVX-512 kernels, 16 rows per
 * group; in exact mode ({@code io.mbllm.kernels.ExactMode}, the default) Q4_0 and Q4_K only, the types llama.cpp repacks, while Q8_0 keeps the plain kernels' ggml order), the matrix is copied
 * into that layout once, on first use, and the copy is shared by every {@link NativeMatMul} of the process.
 *
 * Matrices of the other types that are slices of a mapped file are copied as they are into huge pages.
 *
 * <p>Ownership: a copy lives in 2 MiB-aligned slabs of native memory, and who unmaps a slab depends on where the
 * matrix's bytes lie.
 * <ul>
 * <li>Matrices whose memory scope has a {@link WeightCopies} owner (a model that mapped its own file registers
 *     one for the file's scope) get their copies in that owner's slabs, which hold nothing else: closing the owner
 *     (the model) unmaps them, whatever the garbage collector does. From then on a matmul on such a matrix fails
 *     with an {@link IllegalStateException} naming the model instead of reading unmapped memory; the kernel calls
 *     already running when the owner closes finish first (the slabs' arena cannot close while a downcall holds
 *     one of its segments). Two owners never share a slab, so closing one model frees nothing of another.</li>
 * <li>Matrices without an owner (heap arrays in tests, benchmark matrices, a model over a source it does not
 *     own) share one process-wide store: a copy is kept for as long as its {@link WeightMatrix} object lives
 *     (entries are keyed by identity and dropped once it is collected), and a slab is unmapped by the garbage
 *     collector once no slice of it is reachable (automatic arenas).</li>
 * </ul>
 *
 * <p>Memory: the copy takes the bytes of the matrix. When the matrix is a slice of a memory-mapped file, the whole
 * pages of that slice are released from the resident set after packing ({@code madvise(MADV_DONTNEED)}: they stay
 * in the page cache and come back on a touch, e.g. an embedding row lookup of a tied output matrix), so the
 * resident size stays about the file size. The kernels never fall back to the file once a copy exists: a closed
 * owner's matrices fail rather than read the released pages again.
 *
 * <p>{@code -Dmbllm.repack=false} turns packing and copying off (the kernels read the mapped file in the plain
 * layout), as llama.cpp's {@code --no-repack} (with mmap).
 */
final class PackedWeights {
    /** Whether packing and copying are on ({@code -Dmbllm.repack}, default true), read at each new matrix. */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("mbllm.repack", "true").trim());
    }

    private PackedWeights() {}

    /** Rows per group of every packed layout ({@code mbllm_pack_rows}). */
    private static final int GROUP_ROWS = 16;
    /** Bytes copied between two releases of the source pages. */
    private static final long COPY_SLICE = 16L << 20;
    /** Bytes of one slab of packed copies (a multiple of the 2 MiB huge page). */
    private static final long SLAB = 64L << 20;
    private static final long HUGE_PAGE = 2L << 20;

    /** The copies of the matrices that have no {@link WeightCopies} owner. */
    private static final Store UNOWNED = new Store(null, null);

    /**
     * Where the kernels read a matrix: {@code data} holds the packed layout ({@code packed}, for
     * {@code mbllm_matmul_packed}) or the plain layout (for {@code mbllm_matmul}); {@code owner} is the model that
     * owns the matrix's memory, or null.
     */
    record Placement(MemorySegment data, boolean packed, WeightCopies owner) {
        /** @throws IllegalStateException when the owner of {@code w} is closed (its copies are unmapped) */
        void checkOpen(WeightMatrix w) {
            if (owner != null && owner.isClosed()) throw owner.closedError(w);
        }
    }

    /**
     * Where the kernels of {@code variant} read {@code w}, the copy made now if needed: the packed copy where the
     * variant has a packed layout for its type; for other types, when the matrix is a slice of a mapped file, a
     * plain copy in huge pages (the same bytes: the matmul streams them once per token, and 4 KiB file pages cost a
     * TLB miss every 4 KiB); else the matrix itself (memory the caller owns, or copies turned off). The copy goes to
     * the slabs of the owner of the matrix's memory, if it has one.
     *
     * @throws IllegalStateException when that owner is closed
     */
    static Placement of(WeightMatrix w, NativeVariant variant) {
        WeightCopies owner = WeightCopies.owning(w.data().scope());
        if (owner != null && owner.isClosed()) throw owner.closedError(w);
        if (!enabled()) return new Placement(w.data(), false, owner);
        int v = variant.id(), type = w.type().id();
        long packedBytes = mbllm_kernels_h.mbllm_pack_bytes(v, type, w.rows(), w.cols());
        if (packedBytes < 0) throw new IllegalStateException("cannot pack " + w.name() + " (status " + packedBytes + ")");
        boolean packed = packedBytes > 0;
        if (!packed && !w.data().isMapped()) return new Placement(w.data(), false, owner);
        long bytes = packed ? packedBytes : w.rowBytes() * w.rows();
        return (owner != null ? owner.store : UNOWNED).placement(w, v, packed, bytes);
    }

    /** Identity key of a weight matrix and a variant, cleared when the matrix is collected. */
    private static final class Key extends WeakReference<WeightMatrix> {
        final int variant;
        final int hash;

        Key(WeightMatrix w, int variant, ReferenceQueue<WeightMatrix> queue) {
            super(w, queue);
            this.variant = variant;
            this.hash = System.identityHashCode(w) * 31 + variant;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Key k) || k.variant != variant) return false;
            WeightMatrix w = get();
            return w != null && w == k.get();
        }
    }

    /**
     * The copies of one owner (or of the matrices without one): the placements made so far, and the slabs they lie
     * in. Keys are weak either way, so that an owner never keeps its model's matrices (and with them the file's
     * scope, its registry key) reachable.
     */
    static final class Store {
        private final WeightCopies owner;
        /** The owner's arena, which every slab of this store joins; null: each slab gets its own automatic arena. */
        private final Arena arena;
        private final Map<Key, Placement> placements = new HashMap<>();
        private final ReferenceQueue<WeightMatrix> collected = new ReferenceQueue<>();
        /** The slab being filled, and the next free offset in it. */
        private MemorySegment slab = MemorySegment.NULL;
        private long slabUsed;
        /** Address ranges of the slabs mapped for an owner (none are listed for the unowned store). */
        private final List<WeightCopies.Region> regions = new ArrayList<>();
        private boolean closed;

        Store(WeightCopies owner, Arena arena) {
            this.owner = owner;
            this.arena = arena;
        }

        synchronized List<WeightCopies.Region> regions() {
            return List.copyOf(regions);
        }

        /** Stops making copies and forgets the placements (the owner then unmaps the slabs). */
        synchronized void close() {
            closed = true;
            placements.clear();
            slab = MemorySegment.NULL;
        }

        synchronized Placement placement(WeightMatrix w, int v, boolean packed, long bytes) {
            if (closed) throw owner.closedError(w);
            for (Reference<? extends WeightMatrix> r; (r = collected.poll()) != null; ) placements.remove((Key) r);
            Key probe = new Key(w, v, null);
            Placement p = placements.get(probe);
            probe.clear();
            if (p != null) return p;
            MemorySegment copy = allocate(bytes);
            if (packed) {
                pack(w, v, copy);
            } else { // in slices, each released once copied: the resident size never holds both copies of a large matrix
                for (long off = 0; off < bytes; off += COPY_SLICE) {
                    long n = Math.min(COPY_SLICE, bytes - off);
                    MemorySegment.copy(w.data(), off, copy, off, n);
                    mbllm_kernels_h.mbllm_release_pages(w.data().asSlice(off, n), n);
                }
            }
            if (w.data().isMapped()) mbllm_kernels_h.mbllm_release_pages(w.data(), w.rowBytes() * w.rows());
            p = new Placement(copy, packed, owner);
            placements.put(new Key(w, v, collected), p);
            return p;
        }

        /**
         * Memory for a copy: a slice of a slab, a 2 MiB-aligned mapping advised for transparent huge pages (the
         * kernels stream the copies once per token; huge pages cut their TLB misses). Slabs keep small matrices from
         * each rounding up to a huge page.
         */
        private MemorySegment allocate(long bytes) {
            long size = (bytes + 63) & ~63L;
            if (slab.equals(MemorySegment.NULL) || slabUsed + size > slab.byteSize()) {
                long slabBytes = Math.max(SLAB, (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
                MemorySegment raw = mbllm_kernels_h.mbllm_alloc_packed(slabBytes);
                if (raw.equals(MemorySegment.NULL)) throw new OutOfMemoryError("cannot map " + slabBytes + " bytes for packed weights");
                long address = raw.address();
                slab = raw.reinterpret(slabBytes, arena != null ? arena : Arena.ofAuto(),
                        s -> mbllm_kernels_h.mbllm_free_packed(MemorySegment.ofAddress(address), slabBytes));
                slabUsed = 0;
                if (arena != null) regions.add(new WeightCopies.Region(address, slabBytes));
            }
            MemorySegment p = slab.asSlice(slabUsed, bytes);
            slabUsed += size;
            return p;
        }
    }

    /** Packs {@code w} into {@code copy}, whole groups of rows at a time (the last slice takes the plain tail rows too). */
    private static void pack(WeightMatrix w, int v, MemorySegment copy) {
        int type = w.type().id();
        long groupBytes = mbllm_kernels_h.mbllm_pack_bytes(v, type, GROUP_ROWS, w.cols());
        int sliceRows = (int) Math.max(GROUP_ROWS, COPY_SLICE / w.rowBytes() / GROUP_ROWS * GROUP_ROWS);
        for (int r = 0; r < w.rows(); r += sliceRows) {
            int n = w.rows() - r <= sliceRows + GROUP_ROWS - 1 ? w.rows() - r : sliceRows;
            MemorySegment src = w.data().asSlice(r * w.rowBytes(), n * w.rowBytes());
            int rc = mbllm_kernels_h.mbllm_pack(v, type, src, n, w.cols(), copy.asSlice(r / GROUP_ROWS * groupBytes));
            if (rc != mbllm_kernels_h.MBLLM_OK) throw new IllegalStateException("packing " + w.name() + " failed with status " + rc);
            if (w.data().isMapped()) mbllm_kernels_h.mbllm_release_pages(src, src.byteSize());
            if (n != sliceRows) break;
        }
    }
}
