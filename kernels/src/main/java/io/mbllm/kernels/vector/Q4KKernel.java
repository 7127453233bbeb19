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
 * Q4_K · Q8_K (144 bytes: fp16 d, fp16 dmin, 12 scale bytes, 128 bytes of nibbles; chunk c of 32 bytes holds
 * sub-block 2c in its low and 2c+1 in its high nibbles). Per sub-block the exact int sum is multiplied by its
 * 6-bit scale; the mins use the activation sums per 32 ({@code bsums}).
 */
final class Q4KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int[] s32 = a.sum32;
        int qo = t * a.cols, bo = t * nb, so = t * (a.cols >> 5);
        FloatVector acc = FloatVector.zero(Simd.F256);
        float mins = 0;
        for (int b = 0; b < nb; b++, off += 144, qo += 256, so += 8) {
            float yd = ad[bo + b];
            long sc = KScales.scales(w, off + 4);
            IntVector isum = IntVector.zero(Simd.I256);
            for (int c = 0; c < 4; c++) {
                ShortVector w0 = u8x16(w, off + 16 + 32 * c), w1 = u8x16(w, off + 32 + 32 * c);
                int e = qo + 64 * c;
                // codes <= 15: two products per lane stay below 2*15*127
                ShortVector pl = w0.and((short) 15).mul(act(q, e)).add(w1.and((short) 15).mul(act(q, e + 16)));
                ShortVector ph = w0.lanewise(VectorOperators.LSHR, 4).mul(act(q, e + 32))
                        .add(w1.lanewise(VectorOperators.LSHR, 4).mul(act(q, e + 48)));
                isum = isum.add(pairSum(pl).mul(KScales.at(sc, 2 * c))).add(pairSum(ph).mul(KScales.at(sc, 2 * c + 1)));
            }
            acc = scaleAdd(isum, f16(w, off) * yd, acc);
            mins += f16(w, off + 2) * yd * KScales.minSum(KScales.mins(w, off + 4), s32, so);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }
}
