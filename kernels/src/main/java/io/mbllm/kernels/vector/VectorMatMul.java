package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * The portable fast path: {@link MatMul} on the Java Vector API ({@code jdk.incubator.vector}) for F32, F16,
 * BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K weights.
 *
 * <p>As in ggml, the activation rows are first converted to the weight type's activation format
 * ({@link QuantTypes.Traits#vecDotType()}); the Q8 activation bytes are identical to the reference quantizers.
 * Weights are read in place from the (memory-mapped) segment. Block dot products are exact in integers; the
 * float accumulation over blocks is done in vector lanes, so results match {@link io.mbllm.kernels.ReferenceMatMul}
 * up to float rounding (the tests bound it at 1e-5 of the sum of |terms|). One token is a row-parallel
 * matrix-vector product; several tokens are processed in row tiles that stay in cache while every token passes.
 *
 * <p>Not thread-safe: one instance per inference context (it owns the activation buffers). The integer kernels
 * use 256-bit vectors; {@link #isAccelerated()} says whether this machine runs them natively.
 */
public final class VectorMatMul implements MatMul {
    /** Rows per parallel chunk at least, so that tiny matrices stay on one thread. */
    private static final int MIN_ROWS_PER_TASK = 32;
    /** Weight bytes of one row tile in the multi-token path (kept in L2 while all tokens pass over it). */
    private static final int TILE_BYTES = 64 * 1024;

    private final Parallel parallel;
    private final int tileBytes;
    private final Activations acts = new Activations();

    /** A matmul running its rows on {@code parallel}. */
    public VectorMatMul(Parallel parallel) {
        this(parallel, TILE_BYTES);
    }

    /** With a chosen row-tile size in bytes for the multi-token path (tests use small tiles to cover tile edges). */
    VectorMatMul(Parallel parallel, int tileBytes) {
        this.parallel = Objects.requireNonNull(parallel, "parallel");
        if (tileBytes < 1) throw new IllegalArgumentException("tileBytes < 1: " + tileBytes);
        this.tileBytes = tileBytes;
    }

    /** True when this machine has native vectors of at least 256 bits (else the Vector API is emulated and slow). */
    public static boolean isAccelerated() {
        return Simd.nativeWidthOk();
    }

    /** True when this class has a kernel for weights of {@code type}. */
    public static boolean supports(GgmlType type) {
        return Kernels.find(type) != null;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int nTokens, float[] out) {
        Objects.requireNonNull(w, "w");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(out, "out");
        RowKernel kernel = Kernels.find(w.type());
        if (kernel == null) {
            throw new UnsupportedOperationException("no Vector API kernel for " + w.type().ggmlName() + " weights");
        }
        int cols = w.cols(), rows = w.rows();
        if (nTokens < 0) throw new IllegalArgumentException("nTokens < 0: " + nTokens);
        if ((long) nTokens * cols > x.length) {
            throw new IllegalArgumentException(w.name() + ": x has " + x.length + " floats, needs " + nTokens + "x" + cols);
        }
        if ((long) nTokens * rows > out.length) {
            throw new IllegalArgumentException(w.name() + ": out has " + out.length + " floats, needs " + nTokens + "x" + rows);
        }
        if (nTokens == 0 || rows == 0) return;
        if (cols == 0) {
            java.util.Arrays.fill(out, 0, nTokens * rows, 0f);
            return;
        }
        acts.prepare(QuantTypes.of(w.type()).vecDotType(), x, nTokens, cols);
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        Activations a = acts;
        if (nTokens == 1) {
            parallel.forRange(rows, MIN_ROWS_PER_TASK, (from, to) -> {
                for (int r = from; r < to; r++) out[r] = kernel.dot(data, r * rowBytes, a, 0);
            });
        } else {
            int tile = (int) Math.max(1, Math.min(256, tileBytes / rowBytes));
            int tiles = (rows + tile - 1) / tile;
            parallel.forRange(tiles, Math.max(1, MIN_ROWS_PER_TASK / tile), (from, to) -> {
                for (int ti = from; ti < to; ti++) {
                    int r0 = ti * tile, r1 = Math.min(rows, r0 + tile);
                    for (int t = 0; t < nTokens; t++) {
                        int o = t * rows;
                        for (int r = r0; r < r1; r++) out[o + r] = kernel.dot(data, r * rowBytes, a, t);
                    }
                }
            });
        }
        if (w.type() == GgmlType.F32) acts.f = null; // do not keep the caller's array
    }
}
