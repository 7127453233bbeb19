package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.act;
import static io.mbllm.kernels.vector.Simd.f16;
import static io.mbllm.kernels.vector.Simd.pairSum;
import static io.mbllm.kernels.vector.Simd.scaleAdd;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IQ4_NL · Q8_0 (18 bytes: fp16 d, 16 bytes of nibble indices into ggml's {@code kvalues_iq4nl}). The indices
 * select from the 16-entry table held in one byte vector (a byte shuffle).
 */
final class IQ4_NLKernel extends RowKernel {
    private static final ByteVector TABLE = ByteVector.fromArray(Simd.B128,
            new byte[] {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}, 0);

    private static ShortVector values(ByteVector idx) {
        return (ShortVector) idx.selectFrom(TABLE).convertShape(VectorOperators.B2S, Simd.S256, 0);
    }

    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 5;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        for (int b = 0; b < nb; b++, off += 18, qo += 32) {
            ByteVector c = ByteVector.fromMemorySegment(Simd.B128, w, off + 2, Simd.LE);
            ShortVector lo = values(c.and((byte) 15));
            ShortVector hi = values(c.lanewise(VectorOperators.LSHR, 4).and((byte) 15));
            ShortVector p = lo.mul(act(q, qo)).add(hi.mul(act(q, qo + 16)));
            acc = scaleAdd(pairSum(p), f16(w, off) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
