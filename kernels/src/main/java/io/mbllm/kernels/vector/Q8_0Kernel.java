package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.act;
import static io.mbllm.kernels.vector.Simd.f16;
import static io.mbllm.kernels.vector.Simd.pairSum;
import static io.mbllm.kernels.vector.Simd.s8x16;
import static io.mbllm.kernels.vector.Simd.scaleAdd;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Q8_0 · Q8_0 (blocks of 34 bytes: fp16 d, 32 int8): exact int sums per block, scaled by {@code dx*dy}. */
final class Q8_0Kernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 5;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        for (int b = 0; b < nb; b++, off += 34, qo += 32) {
            // |w*a| <= 128*127, so the sum of two products fits a short
            ShortVector p = s8x16(w, off + 2).mul(act(q, qo)).add(s8x16(w, off + 18).mul(act(q, qo + 16)));
            acc = scaleAdd(pairSum(p), f16(w, off) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
