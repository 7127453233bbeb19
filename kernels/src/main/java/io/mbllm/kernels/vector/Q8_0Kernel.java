package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.SL;
import static io.mbllm.kernels.vector.Simd.actw;
import static io.mbllm.kernels.vector.Simd.pairSumW;
import static io.mbllm.kernels.vector.Simd.s8w;
import static io.mbllm.kernels.vector.Simd.scaleAddW;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 · Q8_0 (blocks of 34 bytes: fp16 d, 32 int8): exact int sums per block, scaled by {@code dx*dy}. A block
 * is one 512-bit step or two 256-bit steps ({@link Simd#SL}).
 */
final class Q8_0Kernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 5;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.FW);
        for (int b = 0; b < nb; b++) {
            long o = off + 34L * b;
            int e = qo + 32 * b;
            // |w*a| <= 128*127, so the sum of two products fits a short
            ShortVector p = s8w(w, o + 2).mul(actw(q, e));
            for (int i = SL; i < 32; i += SL) p = p.add(s8w(w, o + 2 + i).mul(actw(q, e + i)));
            acc = scaleAddW(pairSumW(p), Simd.f16(w, o) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
