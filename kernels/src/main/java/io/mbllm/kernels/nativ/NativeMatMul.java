package io.mbllm.kernels.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * {@link MatMul} through the native C kernels ({@code src/main/c}): the activation rows are converted once to the
 * weight type's activation format (bit-exact with the reference quantizers; for F16/BF16 weights the rounded values
 * are kept widened to float32), then the rows are split across the
 * {@link Parallel} pool with one downcall per chunk; each call computes its whole row range for all tokens,
 * reading the weights in place (zero copy). The instruction-set variant is the best this CPU supports unless one
 * is forced. Not thread-safe: one instance per inference context (it owns the activation buffer).
 */
public final class NativeMatMul implements MatMul {
    /** Fewest rows one downcall gets when the rows are split across threads. */
    private static final int MIN_ROWS_PER_CALL = 16;

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
        GgmlType type = w.type();
        if (!supports(type)) {
            throw new UnsupportedOperationException("no native kernel for " + type.ggmlName() + " weights (" + w.name() + ")");
        }
        int cols = w.cols(), rows = w.rows();
        if (nTokens < 0) throw new IllegalArgumentException("nTokens must be >= 0: " + nTokens);
        if (x.length < (long) nTokens * cols) {
            throw new IllegalArgumentException(w.name() + ": x has " + x.length + " floats, needs " + nTokens + "x" + cols);
        }
        if (out.length < (long) nTokens * rows) {
            throw new IllegalArgumentException(w.name() + ": out has " + out.length + " floats, needs " + nTokens + "x" + rows);
        }
        if (nTokens == 0 || rows == 0) return;
        long actRow = mbllm_kernels_h.mbllm_act_row_bytes(type.id(), cols);
        if (actRow <= 0) check((int) actRow, w);
        MemorySegment a = activations(actRow * nTokens);
        check(mbllm_kernels_h.mbllm_quantize_act(type.id(), MemorySegment.ofArray(x), cols, nTokens, a), w);
        MemorySegment data = w.data(), o = MemorySegment.ofArray(out);
        long rowBytes = w.rowBytes();
        int v = variant.id(), t = type.id();
        parallel.forRange(rows, MIN_ROWS_PER_CALL, (from, to) -> check(
                mbllm_kernels_h.mbllm_matmul(v, t, data, rowBytes, cols, a, actRow, nTokens, o, rows, from, to), w));
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
