package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.SL;
import static io.mbllm.kernels.vector.Simd.actw;
import static io.mbllm.kernels.vector.Simd.pairSumSmallW;
import static io.mbllm.kernels.vector.Simd.scaleAddW;
import static io.mbllm.kernels.vector.Simd.u8w;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K · Q8_K (144 bytes: fp16 d, fp16 dmin, 12 scale bytes, 128 bytes of nibbles; chunk c of 32 bytes holds
 * sub-block 2c in its low and 2c+1 in its high nibbles). Per sub-block the exact int sum is multiplied by its
 * 6-bit scale; the mins use the activation sums per 32 ({@code bsums}). Wide steps ({@link Simd#SL} lanes).
 */
final class Q4KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int[] s32 = a.sum32;
        int qo = t * a.cols, bo = t * nb, so = t * (a.cols >> 5);
        FloatVector acc = FloatVector.zero(Simd.FW);
        float mins = 0;
        for (int b = 0; b < nb; b++) {
            long o = off + 144L * b;
            int eb = qo + 256 * b;
            float yd = ad[bo + b];
            long head = w.get(Simd.LE_LONG, o), tail = w.get(Simd.LE_LONG, o + 8);
            long sc = KScales.scales((int) (head >>> 32), (int) tail, (int) (tail >>> 32));
            IntVector isum = IntVector.zero(Simd.IW);
            for (int c = 0; c < 4; c++) {
                int e = eb + 64 * c;
                long qs = o + 16 + 32 * c;
                ShortVector v = u8w(w, qs);
                // codes <= 15: a lane (two products) stays below 2*15*127, a pair of lanes below 16383
                ShortVector pl = v.and((short) 15).mul(actw(q, e));
                ShortVector ph = v.lanewise(VectorOperators.LSHR, 4).mul(actw(q, e + 32));
                for (int i = SL; i < 32; i += SL) {
                    ShortVector u = u8w(w, qs + i);
                    pl = pl.add(u.and((short) 15).mul(actw(q, e + i)));
                    ph = ph.add(u.lanewise(VectorOperators.LSHR, 4).mul(actw(q, e + 32 + i)));
                }
                isum = isum.add(pairSumSmallW(pl).mul(KScales.at(sc, 2 * c))).add(pairSumSmallW(ph).mul(KScales.at(sc, 2 * c + 1)));
            }
            acc = scaleAddW(isum, Float.float16ToFloat((short) head) * yd, acc);
            long mn = KScales.mins((int) (head >>> 32), (int) tail, (int) (tail >>> 32));
            mins += Float.float16ToFloat((short) (head >>> 16)) * yd * KScales.minSum(mn, s32, so + 8 * b);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }
}
