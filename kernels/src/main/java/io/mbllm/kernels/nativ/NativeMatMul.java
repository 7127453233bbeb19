package io.mbllm.kernels.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Objects;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * {@link MatMul} through the native C kernels ({@code src/main/c}): the activation rows are converted once to the
 * weight type's activation format (bit-exact with the reference quantizers; for F16/BF16 weights the rounded values
 * are kept widened to float32), then the rows are split across the
 * {@link Parallel} pool with one downcall per chunk; each call computes its whole row range for all tokens,
 * reading the weights in place (zero copy), or a packed copy made once where the variant has a faster
 * interleaved layout for the type ({@link PackedWeights}). The instruction-set variant is the best this CPU supports unless one
 * is forced. Not thread-safe: one instance per inference context (it owns the activation buffer).
 *
 * <p>A matrix of a closed model ({@link WeightCopies}) is refused with an {@link IllegalStateException}: its copies
 * are unmapped.
 */
public final class NativeMatMul implements MatMul {
    /**
     * Rows are split across threads in units of this many (the packed layouts' group size, so that no call starts
     * inside a group); one downcall gets at least one unit.
     */
    private static final int ROW_UNIT = 16;

    private final Parallel parallel;
    private final NativeVariant variant;
    private MemorySegment act = MemorySegment.NULL;

    /**
     * Kernels of the best variant for this CPU, or the one named by {@code -Dmbllm.native.variant}.
     *
     * @throws IllegalStateException when the native library is unavailable (see {@link #isAvailable()})
     */
    public NativeMatMul(Parallel parallel) {
        this(parallel, defaultVariant());
    }

    /**
     * Kernels of a forced variant (tests, benchmarks).
     *
     * @throws IllegalStateException    when the native library is unavailable
     * @throws IllegalArgumentException when this CPU cannot run {@code variant}
     */
    public NativeMatMul(Parallel parallel, NativeVariant variant) {
        this.parallel = Objects.requireNonNull(parallel, "parallel");
        this.variant = Objects.requireNonNull(variant, "variant");
        NativeKernels.lookup();
        if (!NativeVariant.available().contains(variant)) {
            throw new IllegalArgumentException("this CPU cannot run the " + variant.label() + " kernels (available: "
                    + NativeVariant.available() + ")");
        }
    }

    private static NativeVariant defaultVariant() {
        String forced = System.getProperty("mbllm.native.variant");
        return forced == null || forced.isBlank() ? NativeVariant.best() : NativeVariant.parse(forced);
    }

    /** True when the native library is loaded ({@link NativeKernels#unavailableReason()} says why not). */
    public static boolean isAvailable() {
        return NativeKernels.isAvailable();
    }

    /** True when the native kernels handle weights of {@code type} (false when the library is unavailable). */
    public static boolean supports(GgmlType type) {
        return isAvailable() && mbllm_kernels_h.mbllm_kernels_supports(type.id()) == 1;
    }

    /** The instruction-set variant in use. */
    public NativeVariant variant() {
        return variant;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        one[0] = w;
        oneOut[0] = out;
        try {
            matmulAll(one, 1, x, nTokens, oneOut);
        } finally {
            one[0] = null;
            oneOut[0] = null;
        }
    }

    /**
     * All {@code count} products in one parallel section: the activations are converted once per activation
     * format (Q and K of a K-quant mix share one Q8_K conversion with a Q6_K V), then the rows of all the matrices
     * are split across the pool as one range.
     */
    @Override
    public void matmulAll(WeightMatrix[] ws, int count, float[] x, int nTokens, float[][] outs) {
        if (count < 1 || count > MAX_GROUP) throw new IllegalArgumentException("count must be in [1, " + MAX_GROUP + "]: " + count);
        if (nTokens < 0) throw new IllegalArgumentException("nTokens must be >= 0: " + nTokens);
        int cols = ws[0].cols();
        long actTotal = 0;
        int totalRows = 0, totalUnits = 0;
        for (int i = 0; i < count; i++) {
            WeightMatrix w = ws[i];
            GgmlType type = w.type();
            if (!supports(type)) {
                throw new UnsupportedOperationException("no native kernel for " + type.ggmlName() + " weights (" + w.name() + ")");
            }
            if (w.cols() != cols) throw new IllegalArgumentException(w.name() + ": " + w.cols() + " columns, expected " + cols);
            if (x.length < (long) nTokens * cols) {
                throw new IllegalArgumentException(w.name() + ": x has " + x.length + " floats, needs " + nTokens + "x" + cols);
            }
            if (outs[i].length < (long) nTokens * w.rows()) {
                throw new IllegalArgumentException(w.name() + ": out has " + outs[i].length + " floats, needs " + nTokens + "x" + w.rows());
            }
            long actRow = mbllm_kernels_h.mbllm_act_row_bytes(type.id(), cols);
            if (actRow <= 0) check((int) actRow, w);
            GgmlType actType = QuantTypes.of(type).vecDotType();
            int shared = -1;
            for (int j = 0; j < i && shared < 0; j++) if (sec.actTypes[j] == actType) shared = j;
            sec.actTypes[i] = actType;
            sec.actRow[i] = actRow;
            sec.actOff[i] = shared >= 0 ? sec.actOff[shared] : actTotal;
            sec.actOwner[i] = shared < 0;
            if (shared < 0) actTotal += actRow * nTokens;
            sec.ws[i] = w;
            PackedWeights.Placement place = placement(w);
            place.checkOpen(w);
            sec.data[i] = place.data();
            sec.packed[i] = place.packed();
            sec.outs[i] = segmentOf(outs[i]);
            sec.unitStart[i] = totalUnits;
            totalUnits += (w.rows() + ROW_UNIT - 1) / ROW_UNIT;
            totalRows += w.rows();
        }
        sec.unitStart[count] = totalUnits;
        try {
            if (nTokens == 0 || totalRows == 0) return;
            MemorySegment a = activations(actTotal);
            for (int i = 0; i < count; i++) sec.acts[i] = actSlice(a, sec.actOff[i]);
            sec.count = count;
            sec.nTokens = nTokens;
            sec.x = segmentOf(x);
            sec.cols = cols;
            if (nTokens >= MIN_TOKENS_PARALLEL_CONVERT) {
                parallel.forRange(nTokens, 1, quantize);
            } else {
                quantize.run(0, nTokens);
            }
            parallel.forRange(totalUnits, 1, sec);
        } finally {
            sec.clear();
        }
    }

    /** Most matrices one {@link #matmulAll} call takes. */
    static final int MAX_GROUP = 8;

    private final WeightMatrix[] one = new WeightMatrix[1];
    private final float[][] oneOut = new float[1][];
    private final Section sec = new Section();
    /** Activation conversion of the tokens [from, to) for every matrix that owns a conversion. */
    private final Parallel.RangeBody quantize = (from, to) -> {
        for (int i = 0; i < sec.count; i++) {
            if (sec.actOwner[i]) {
                WeightMatrix w = sec.ws[i];
                check(mbllm_kernels_h.mbllm_quantize_act_rows(w.type().id(), sec.x, sec.cols, from, to, sec.acts[i]), w);
            }
        }
    };
    /** Batches at least this long convert their activations on the pool (one token is not worth a hand-off). */
    private static final int MIN_TOKENS_PARALLEL_CONVERT = 2;

    /** The body of one parallel section: global row ranges mapped onto the matrices of the group. */
    private final class Section implements Parallel.RangeBody {
        final WeightMatrix[] ws = new WeightMatrix[MAX_GROUP];
        final MemorySegment[] outs = new MemorySegment[MAX_GROUP], acts = new MemorySegment[MAX_GROUP];
        final GgmlType[] actTypes = new GgmlType[MAX_GROUP];
        final long[] actRow = new long[MAX_GROUP], actOff = new long[MAX_GROUP];
        final boolean[] actOwner = new boolean[MAX_GROUP];
        final MemorySegment[] data = new MemorySegment[MAX_GROUP];
        final boolean[] packed = new boolean[MAX_GROUP];
        /** First row unit of each matrix in the section's range (units of {@link #ROW_UNIT} rows). */
        final int[] unitStart = new int[MAX_GROUP + 1];
        int count, nTokens, cols;
        MemorySegment x;

        @Override
        public void run(int from, int to) {
            int v = variant.id();
            for (int i = 0; i < count; i++) {
                int u0 = Math.max(from, unitStart[i]), u1 = Math.min(to, unitStart[i + 1]);
                if (u0 >= u1) continue;
                WeightMatrix w = ws[i];
                int r0 = (u0 - unitStart[i]) * ROW_UNIT, r1 = Math.min(w.rows(), (u1 - unitStart[i]) * ROW_UNIT);
                if (packed[i]) {
                    check(mbllm_kernels_h.mbllm_matmul_packed(v, w.type().id(), data[i], w.rows(), w.cols(),
                            acts[i], actRow[i], nTokens, outs[i], w.rows(), r0, r1), w);
                } else {
                    check(mbllm_kernels_h.mbllm_matmul(v, w.type().id(), data[i], w.rowBytes(), w.cols(),
                            acts[i], actRow[i], nTokens, outs[i], w.rows(), r0, r1), w);
                }
            }
        }

        void clear() {
            count = 0;
            for (int i = 0; i < MAX_GROUP; i++) {
                ws[i] = null;
                outs[i] = null;
                data[i] = null;
            }
            x = null;
        }
    }

    /** Where the kernels read the matrices seen so far, so that the shared store is asked once per matrix. */
    private final IdentityHashMap<WeightMatrix, PackedWeights.Placement> placements = new IdentityHashMap<>();

    private PackedWeights.Placement placement(WeightMatrix w) {
        PackedWeights.Placement p = placements.get(w);
        if (p == null) {
            p = PackedWeights.of(w, variant);
            placements.put(w, p);
        }
        return p;
    }

    /** Heap segments of the output arrays, cached by identity (an inference context reuses a handful of arrays). */
    private final float[][] segArrays = new float[16][];
    private final MemorySegment[] segs = new MemorySegment[16];
    private int segNext;

    private MemorySegment segmentOf(float[] a) {
        for (int i = 0; i < segArrays.length; i++) if (segArrays[i] == a) return segs[i];
        int i = segNext;
        segNext = (segNext + 1) % segArrays.length;
        segArrays[i] = a;
        segs[i] = MemorySegment.ofArray(a);
        return segs[i];
    }

    /** Slices of the activation buffer at the offsets used so far (the same few for every layer). */
    private final long[] sliceOffsets = new long[MAX_GROUP * 2];
    private final MemorySegment[] slices = new MemorySegment[MAX_GROUP * 2];
    private MemorySegment slicedBuffer;

    private MemorySegment actSlice(MemorySegment a, long offset) {
        if (offset == 0) return a;
        if (slicedBuffer != a) {
            java.util.Arrays.fill(slices, null);
            slicedBuffer = a;
        }
        int free = -1;
        for (int i = 0; i < slices.length; i++) {
            if (slices[i] == null) {
                if (free < 0) free = i;
            } else if (sliceOffsets[i] == offset) {
                return slices[i];
            }
        }
        if (free < 0) return a.asSlice(offset);
        sliceOffsets[free] = offset;
        slices[free] = a.asSlice(offset);
        return slices[free];
    }

    /** The activation buffer, grown (never shrunk) to at least {@code bytes}. */
    private MemorySegment activations(long bytes) {
        if (act.byteSize() < bytes) {
            long size = Math.max(bytes, Math.min(2 * act.byteSize(), Long.MAX_VALUE / 2));
            act = Arena.ofAuto().allocate(size, 64);
        }
        return act;
    }

    private static void check(int rc, WeightMatrix w) {
        if (rc != mbllm_kernels_h.MBLLM_OK) {
            throw new IllegalStateException("native kernel failed with status " + rc + " on " + w.name() + " ("
                    + w.type().ggmlName() + " " + w.rows() + "x" + w.cols() + ")");
        }
    }
}
