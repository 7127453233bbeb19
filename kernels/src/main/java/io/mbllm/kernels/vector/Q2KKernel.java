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
 * Q2_K · Q8_K (84 bytes: scales[16] (low nibble scale, high nibble min), qs[64], fp16 d, fp16 dmin). For chunk c
 * and 16-byte half h of qs, bits 2k..2k+1 are sub-block 8c+2k+h. Code·activation·scale stays below 3·127·15, so
 * four sub-blocks are summed in shorts before widening.
 */
final class Q2KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int[] s16 = a.sum16;
        int qo = t * a.cols, bo = t * nb, so = t * (a.cols >> 4);
        FloatVector acc = FloatVector.zero(Simd.F256);
        float mins = 0;
        for (int b = 0; b < nb; b++, off += 84, qo += 256, so += 16) {
            float yd = ad[bo + b];
            long sc0 = w.get(Simd.LE_LONG, off), sc1 = w.get(Simd.LE_LONG, off + 8);
            int summs = 0;
            for (int j = 0; j < 8; j++) {
                summs += s16[so + j] * ((int) (sc0 >>> (8 * j + 4)) & 15);
                summs += s16[so + 8 + j] * ((int) (sc1 >>> (8 * j + 4)) & 15);
            }
            IntVector isum = IntVector.zero(Simd.I256);
            for (int c = 0; c < 2; c++) {
                long sc = c == 0 ? sc0 : sc1;
                for (int h = 0; h < 2; h++) {
                    ShortVector qs = u8x16(w, off + 16 + 32 * c + 16 * h);
                    int e = qo + 128 * c + 16 * h;
                    // sub-block 8c+2k+h has scale byte 2k+h of sc
                    ShortVector p = qs.and((short) 3).mul(act(q, e)).mul((short) ((sc >>> (8 * h)) & 15))
                            .add(qs.lanewise(VectorOperators.LSHR, 2).and((short) 3).mul(act(q, e + 32))
                                    .mul((short) ((sc >>> (8 * h + 16)) & 15)))
                            .add(qs.lanewise(VectorOperators.LSHR, 4).and((short) 3).mul(act(q, e + 64))
                                    .mul((short) ((sc >>> (8 * h + 32)) & 15)))
                            .add(qs.lanewise(VectorOperators.LSHR, 6).mul(act(q, e + 96))
                                    .mul((short) ((sc >>> (8 * h + 48)) & 15)));
                    isum = isum.add(pairSum(p));
                }
            }
            acc = scaleAdd(isum, f16(w, off + 80) * yd, acc);
            mins += yd * f16(w, off + 82) * summs;
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }
}
