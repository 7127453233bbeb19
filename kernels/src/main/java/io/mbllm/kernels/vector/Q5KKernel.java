package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.act;
import static io.mbllm.kernels.vector.Simd.f16;
import static io.mbllm.kernels.vector.Simd.pairSum;
import static io.mbllm.kernels.vector.Simd.scaleAdd;
import static io.mbllm.kernels.vector.Simd.u8x16;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_K · Q8_K (176 bytes: fp16 d, fp16 dmin, 12 scale bytes, qh[32], qs[128]). As Q4_K, with bit j of
 * {@code qh[e % 32]} as bit 4 of the codes of sub-block j.
 */
final class Q5KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int[] s32 = a.sum32;
        int qo = t * a.cols, bo = t * nb, so = t * (a.cols >> 5);
        FloatVector acc = FloatVector.zero(Simd.F256);
        float mins = 0;
        for (int b = 0; b < nb; b++, off += 176, qo += 256, so += 8) {
            float yd = ad[bo + b];
            long sc = KScales.scales(w, off + 4);
            ShortVector h0 = u8x16(w, off + 16).lanewise(VectorOperators.LSHL, 4);
            ShortVector h1 = u8x16(w, off + 32).lanewise(VectorOperators.LSHL, 4);
            IntVector isum = IntVector.zero(Simd.I256);
            for (int c = 0; c < 4; c++) {
                ShortVector w0 = u8x16(w, off + 48 + 32 * c), w1 = u8x16(w, off + 64 + 32 * c);
                int e = qo + 64 * c;
                int jl = 2 * c, jh = 2 * c + 1;
                ShortVector l0 = w0.and((short) 15).or(h0.lanewise(VectorOperators.LSHR, jl).and((short) 16));
                ShortVector l1 = w1.and((short) 15).or(h1.lanewise(VectorOperators.LSHR, jl).and((short) 16));
                ShortVector u0 = w0.lanewise(VectorOperators.LSHR, 4).or(h0.lanewise(VectorOperators.LSHR, jh).and((short) 16));
                ShortVector u1 = w1.lanewise(VectorOperators.LSHR, 4).or(h1.lanewise(VectorOperators.LSHR, jh).and((short) 16));
                ShortVector pl = l0.mul(act(q, e)).add(l1.mul(act(q, e + 16)));
                ShortVector ph = u0.mul(act(q, e + 32)).add(u1.mul(act(q, e + 48)));
                isum = isum.add(pairSum(pl).mul(KScales.at(sc, jl))).add(pairSum(ph).mul(KScales.at(sc, jh)));
            }
            acc = scaleAdd(isum, f16(w, off) * yd, acc);
            mins += f16(w, off + 2) * yd * KScales.minSum(KScales.mins(w, off + 4), s32, so);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }
}
