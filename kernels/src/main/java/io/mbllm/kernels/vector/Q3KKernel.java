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
 * Q3_K · Q8_K (110 bytes: hmask[32], qs[64], 12 bytes of 6-bit scales, fp16 d). Element e of sub-block
 * j = 8c+2k+h has 2 low bits at bits 2k of qs[32c+16h+i] and its high bit at bit 4c+k of hmask[16h+i]; a clear
 * high bit subtracts 4. Signed code·activation·scale stays within ±4·127·32, so two sub-blocks share a short sum.
 */
final class Q3KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        for (int b = 0; b < nb; b++, off += 110, qo += 256) {
            long lo4 = w.get(Simd.LE_LONG, off + 96);
            int hi2 = w.get(Simd.LE_INT, off + 104);
            IntVector isum = IntVector.zero(Simd.I256);
            for (int h = 0; h < 2; h++) {
                // ~hmask << 2: bit m of the mask lands at bit m+2, so (nh >>> m) & 4 is 4 where the bit is clear
                ShortVector nh = u8x16(w, off + 16 * h).not().lanewise(VectorOperators.LSHL, 2);
                for (int c = 0; c < 2; c++) {
                    ShortVector qs = u8x16(w, off + 32 + 32 * c + 16 * h);
                    int e = qo + 128 * c + 16 * h;
                    for (int k = 0; k < 4; k += 2) {
                        int j0 = 8 * c + 2 * k + h, j1 = j0 + 2;
                        ShortVector c0 = qs.lanewise(VectorOperators.LSHR, 2 * k).and((short) 3)
                                .sub(nh.lanewise(VectorOperators.LSHR, 4 * c + k).and((short) 4));
                        ShortVector c1 = qs.lanewise(VectorOperators.LSHR, 2 * k + 2).and((short) 3)
                                .sub(nh.lanewise(VectorOperators.LSHR, 4 * c + k + 1).and((short) 4));
                        ShortVector p = c0.mul(act(q, e + 32 * k)).mul((short) scale(lo4, hi2, j0))
                                .add(c1.mul(act(q, e + 32 * k + 32)).mul((short) scale(lo4, hi2, j1)));
                        isum = isum.add(pairSum(p));
                    }
                }
            }
            acc = scaleAdd(isum, f16(w, off + 108) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** The signed 6-bit scale (-32..31) of sub-block j from scale bytes 0..7 ({@code lo4}) and 8..11 ({@code hi2}). */
    private static int scale(long lo4, int hi2, int j) {
        int low = (int) (lo4 >>> (8 * (j & 7) + (j < 8 ? 0 : 4))) & 15;
        int high = (hi2 >>> (8 * (j & 3) + 2 * (j >> 2))) & 3;
        return (low | high << 4) - 32;
    }
}
