package io.mbllm.engine.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised float32 dot product and axpy for the training products (allocation-free). Results do not depend on
 * how the JIT compiles them: lanes are combined by a fixed halving tree of lane-wise adds (whose rounding is the
 * same in the interpreter and in compiled code), never by {@code reduceLanes}, whose summation order may differ
 * between the two. So a run, and a run resumed from a checkpoint, are bit for bit reproducible.
 */
final class FloatMath {
    private FloatMath() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Rotations by L/2, L/4, …, 1 lanes. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int n = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] out = new VectorShuffle[n];
        for (int i = 0; i < n; i++) out[i] = VectorShuffle.iota(S, S.length() >> (i + 1), 1, true);
        return out;
    }

    /** The sum of the lanes by a fixed tree: lane 0 after adding the vector rotated by L/2, L/4, …, 1. */
    private static float sum(FloatVector v) {
        for (VectorShuffle<Float> s : HALVES) v = v.add(v.rearrange(s));
        return v.lane(0);
    }

    /** {@code Σ a[ao+i]·b[bo+i]} for {@code i < n}. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float s = 0;
        int upper = S.loopBound(n);
        if (upper > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < upper; i += S.length()) {
                acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
            }
            s = sum(acc);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** Lanes of the vectors used: the row block of {@link #blockRows}. */
    static final int LANES = S.length();

    /**
     * {@code out[oo + j] = Σ_i wt[wo + i·LANES + j]·x[xo + i]} for {@code j < rows <= LANES}: one block of rows of a
     * matrix stored transposed ({@code wt} is [n][LANES]) times one vector, accumulated lane-wise over i with no
     * horizontal reduction.
     */
    static void blockRows(float[] wt, int wo, int n, float[] x, int xo, float[] out, int oo, int rows) {
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i++) {
            acc = FloatVector.fromArray(S, wt, wo + i * LANES).fma(FloatVector.broadcast(S, x[xo + i]), acc);
        }
        if (rows == LANES) {
            acc.intoArray(out, oo);
        } else {
            acc.intoArray(out, oo, S.indexInRange(0, rows));
        }
    }

    /** {@code y[yo+i] += c·x[xo+i]} for {@code i < n}. */
    static void axpy(float c, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int upper = S.loopBound(n);
        if (upper > 0) {
            FloatVector cv = FloatVector.broadcast(S, c);
            for (; i < upper; i += S.length()) {
                FloatVector.fromArray(S, x, xo + i).fma(cv, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] += c * x[xo + i];
    }
}
