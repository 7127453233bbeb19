package io.mbllm.engine.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised float32 dot product and axpy for the training products (allocation-free). */
final class FloatMath {
    private FloatMath() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
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
