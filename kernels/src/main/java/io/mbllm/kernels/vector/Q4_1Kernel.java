package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.act;
import static io.mbllm.kernels.vector.Simd.f16;
import static io.mbllm.kernels.vector.Simd.pairSum;
import static io.mbllm.kernels.vector.Simd.scaleAdd;
import static io.mbllm.kernels.vector.Simd.u8x16;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Q4_1 · Q8_1 (20 bytes: fp16 d, fp16 m, 16 bytes of nibbles): {@code (dx*dy)·Σqa + mx*sy} per block. */
final class Q4_1Kernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 5;
        short[] q = a.q;
        float[] ad = a.d, as = a.s;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        float mins = 0;
        for (int b = 0; b < nb; b++, off += 20, qo += 32) {
            ShortVector c = u8x16(w, off + 4);
            ShortVector p = c.and((short) 15).mul(act(q, qo)).add(c.lanewise(VectorOperators.LSHR, 4).mul(act(q, qo + 16)));
            acc = scaleAdd(pairSum(p), f16(w, off) * ad[bo + b], acc);
            mins += f16(w, off + 2) * as[bo + b];
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
    }
}
