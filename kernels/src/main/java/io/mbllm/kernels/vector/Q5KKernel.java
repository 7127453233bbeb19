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
        FloatVector acc = FloatVector.zero(Simd.FW);
        float mins = 0;
        for (int b = 0; b < nb; b++) {
            long o = off + 176L * b;
            int eb = qo + 256 * b;
            float yd = ad[bo + b];
            long head = w.get(Simd.LE_LONG, o), tail = w.get(Simd.LE_LONG, o + 8);
            long sc = KScales.scales((int) (head >>> 32), (int) tail, (int) (tail >>> 32));
            // qh shifted so that bit j of a byte lands at bit 4 after '>>> j'
            ShortVector h0 = u8w(w, o + 16).lanewise(VectorOperators.LSHL, 4);
            ShortVector h1 = SL < 32 ? u8w(w, o + 16 + 16).lanewise(VectorOperators.LSHL, 4) : h0;
            IntVector isum = IntVector.zero(Simd.IW);
            for (int c = 0; c < 4; c++) {
                int e = eb + 64 * c;
                long qs = o + 48 + 32 * c;
                int jl = 2 * c, jh = 2 * c + 1;
                ShortVector pl = null, ph = null;
                for (int i = 0; i < 32; i += SL) {
                    ShortVector v = u8w(w, qs + i), hb = i == 0 ? h0 : h1;
                    ShortVector lo = v.and((short) 15).or(hb.lanewise(VectorOperators.LSHR, jl).and((short) 16));
                    ShortVector hi = v.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, jh).and((short) 16));
                    ShortVector l = lo.mul(actw(q, e + i)), h = hi.mul(actw(q, e + 32 + i));
                    pl = i == 0 ? l : pl.add(l);
                    ph = i == 0 ? h : ph.add(h);
                }
                isum = isum.add(pairSumSmallW(pl).mul(KScales.at(sc, jl))).add(pairSumSmallW(ph).mul(KScales.at(sc, jh)));
            }
            acc = scaleAddW(isum, Float.float16ToFloat((short) head) * yd, acc);
            long mn = KScales.mins((int) (head >>> 32), (int) tail, (int) (tail >>> 32));
            mins += Float.float16ToFloat((short) (head >>> 16)) * yd * KScales.minSum(mn, s32, so + 8 * b);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }
}
