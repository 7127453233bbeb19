package io.mbllm.kernels.vector;

import static io.mbllm.kernels.vector.Simd.SL;
import static io.mbllm.kernels.vector.Simd.actw;
import static io.mbllm.kernels.vector.Simd.pairSumW;
import static io.mbllm.kernels.vector.Simd.scaleAddW;
import static io.mbllm.kernels.vector.Simd.u8w;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K · Q8_K (110 bytes: hmask[32], qs[64], 12 bytes of 6-bit scales, fp16 d). Element 128c+32m+l has its 2 low
 * bits at bits 2m of qs[32c+l] and its high bit at bit 4c+m of hmask[l]; a clear high bit subtracts 4
 * (sub-block 8c+2m+l/16). Signed code·activation·scale stays within ±4·127·32, so two bit pairs share a short sum.
 */
final class Q3KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.FW);
        for (int b = 0; b < nb; b++) {
            long o = off + 110L * b;
            int eb = qo + 256 * b;
            long lo4 = w.get(Simd.LE_LONG, o + 96);
            int hi2 = w.get(Simd.LE_INT, o + 104);
            IntVector isum = IntVector.zero(Simd.IW);
            for (int i = 0; i < 32; i += SL) {
                // ~hmask << 2: bit n of the mask lands at bit n+2, so (nh >>> n) & 4 is 4 where the bit is clear
                ShortVector nh = u8w(w, o + i).not().lanewise(VectorOperators.LSHL, 2);
                int k = i >> 4;
                for (int c = 0; c < 2; c++) {
                    ShortVector qs = u8w(w, o + 32 + 32 * c + i);
                    int e = eb + 128 * c + i;
                    for (int m = 0; m < 4; m += 2) {
                        int j = 8 * c + 2 * m + k;
                        ShortVector c0 = qs.lanewise(VectorOperators.LSHR, 2 * m).and((short) 3)
                                .sub(nh.lanewise(VectorOperators.LSHR, 4 * c + m).and((short) 4));
                        ShortVector c1 = qs.lanewise(VectorOperators.LSHR, 2 * m + 2).and((short) 3)
                                .sub(nh.lanewise(VectorOperators.LSHR, 4 * c + m + 1).and((short) 4));
                        ShortVector p = c0.mul(actw(q, e + 32 * m)).mul(scales(lo4, hi2, j))
                                .add(c1.mul(actw(q, e + 32 * m + 32)).mul(scales(lo4, hi2, j + 2)));
                        isum = isum.add(pairSumW(p));
                    }
                }
            }
            acc = scaleAddW(isum, Simd.f16(w, o + 108) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Scale j in every lane; with 32-element steps, scale j+1 in the upper lanes. */
    private static ShortVector scales(long lo4, int hi2, int j) {
        ShortVector v = ShortVector.broadcast(Simd.SW, (short) scale(lo4, hi2, j));
        return SL < 32 ? v : v.blend((short) scale(lo4, hi2, j + 1), Simd.SW_UPPER);
    }

    /** The signed 6-bit scale (-32..31) of sub-block j from scale bytes 0..7 ({@code lo4}) and 8..11 ({@code hi2}). */
    private static int scale(long lo4, int hi2, int j) {
        int low = (int) (lo4 >>> (8 * (j & 7) + (j < 8 ? 0 : 4))) & 15;
        int high = (hi2 >>> (8 * (j & 3) + 2 * (j >> 2))) & 3;
        return (low | high << 4) - 32;
    }
}
