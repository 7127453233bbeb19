package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** F32 weights times F32 activations: two FMA accumulators over the preferred float species. */
final class F32Kernel extends RowKernel {
    private static final VectorSpecies<Float> F = Simd.FP;
    private static final int L = F.length();

    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int n = a.cols;
        float[] x = a.f;
        int xo = t * n;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(F, w, off + 4L * i, Simd.LE).fma(FloatVector.fromArray(F, x, xo + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, off + 4L * (i + L), Simd.LE).fma(FloatVector.fromArray(F, x, xo + i + L), acc1);
        }
        for (; i + L <= n; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, w, off + 4L * i, Simd.LE).fma(FloatVector.fromArray(F, x, xo + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += w.get(Simd.LE_FLOAT, off + 4L * i) * x[xo + i];
        return sum;
    }
}
