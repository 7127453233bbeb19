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
 * Q4_0 · Q8_0 (18 bytes: fp16 d, 16 bytes of nibbles; element j low, j+16 high). Unsigned codes are multiplied
 * and the offset 8 is removed with the activation block sum: {@code Σ(q-8)a = Σqa - 8Σa}.
 */
final class Q4_0Kernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 5;
        short[] q = a.q;
        float[] ad = a.d;
        int[] sa = a.sum32;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        for (int b = 0; b < nb; b++, off += 18, qo += 32) {
            ShortVector c = u8x16(w, off + 2);
            ShortVector p = c.and((short) 15).mul(act(q, qo)).add(c.lanewise(VectorOperators.LSHR, 4).mul(act(q, qo + 16)));
            // 8 lanes each minus sa: the block total loses 8*sa
            acc = scaleAdd(pairSum(p).sub(sa[bo + b]), f16(w, off) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
