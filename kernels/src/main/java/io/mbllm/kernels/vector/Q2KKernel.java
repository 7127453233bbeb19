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
 * Q2_K · Q8_K (84 bytes: scales[16] (low nibble scale, high nibble min), qs[64], fp16 d, fp16 dmin). For chunk
 * c of 32 qs bytes, bits 2k..2k+1 of byte l belong to element 128c+32k+l (sub-block 8c+2k+l/16).
 * Code·activation·scale stays below 3·127·15, so the four bit pairs are summed in shorts before widening.
 */
final class Q2KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int[] s16 = a.sum16;
        int qo = t * a.cols, bo = t * nb, so = t * (a.cols >> 4);
        FloatVector acc = FloatVector.zero(Simd.FW);
        float mins = 0;
        for (int b = 0; b < nb; b++) {
            long o = off + 84L * b;
            int eb = qo + 256 * b, sb = so + 16 * b;
            float yd = ad[bo + b];
            long sc0 = w.get(Simd.LE_LONG, o), sc1 = w.get(Simd.LE_LONG, o + 8);
            int dd = w.get(Simd.LE_INT, o + 80);
            int summs = 0;
            for (int j = 0; j < 8; j++) {
                summs += s16[sb + j] * ((int) (sc0 >>> (8 * j + 4)) & 15);
                summs += s16[sb + 8 + j] * ((int) (sc1 >>> (8 * j + 4)) & 15);
            }
            IntVector isum = IntVector.zero(Simd.IW);
            for (int c = 0; c < 2; c++) {
                long sc = c == 0 ? sc0 : sc1;
                for (int i = 0; i < 32; i += SL) {
                    ShortVector qs = u8w(w, o + 16 + 32 * c + i);
                    int e = eb + 128 * c + i;
                    int k = i >> 4;
                    ShortVector p = qs.and((short) 3).mul(actw(q, e)).mul(scales(sc, k));
                    for (int m = 1; m < 4; m++) { // bit pair m: sub-block 8c+2m (+ i/16)
                        p = p.add(qs.lanewise(VectorOperators.LSHR, 2 * m).and((short) 3).mul(actw(q, e + 32 * m))
                                .mul(scales(sc, 2 * m + k)));
                    }
                    isum = isum.add(pairSumW(p));
                }
            }
            acc = scaleAddW(isum, Float.float16ToFloat((short) dd) * yd, acc);
            mins += yd * Float.float16ToFloat((short) (dd >>> 16)) * summs;
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    /** The 4-bit scale of byte j of {@code sc} in every lane; with 32-element steps, byte j+1 in the upper lanes. */
    private static ShortVector scales(long sc, int j) {
        ShortVector v = ShortVector.broadcast(Simd.SW, (short) ((sc >>> (8 * j)) & 15));
        return SL < 32 ? v : v.blend((short) ((sc >>> (8 * j + 8)) & 15), Simd.SW_UPPER);
    }
}
