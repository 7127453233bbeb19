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

/**
 * Q5_0 · Q8_0 (22 bytes: fp16 d, 32-bit qh, 16 bytes of nibbles). Bit e of qh is bit 4 of element e; codes are
 * unsigned and the offset 16 is removed with the activation block sum.
 */
final class Q5_0Kernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 5;
        short[] q = a.q;
        float[] ad = a.d;
        int[] sa = a.sum32;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        for (int b = 0; b < nb; b++, off += 22, qo += 32) {
            int qh = w.get(Simd.LE_INT, off + 2);
            ShortVector c = u8x16(w, off + 6);
            ShortVector lo = c.and((short) 15).or(HighBits.of(qh));
            ShortVector hi = c.lanewise(VectorOperators.LSHR, 4).or(HighBits.of(qh >>> 16));
            ShortVector p = lo.mul(act(q, qo)).add(hi.mul(act(q, qo + 16)));
            acc = scaleAdd(pairSum(p).sub(2 * sa[bo + b]), f16(w, off) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
