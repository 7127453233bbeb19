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
 * Q6_K · Q8_K (210 bytes: ql[128], qh[64], int8 scales[16], fp16 d). For half h, the bytes ql[64h+l],
 * ql[64h+32+l] and qh[32h+l] (l = 0..31) give the four 32-element groups g = 0..3 (sub-blocks 8h+2g, 8h+2g+1):
 * low nibbles with qh bits 0-1 and 2-3, then high nibbles with bits 4-5 and 6-7. Signed codes (-32..31) times
 * activations are summed per sub-block, then multiplied by the int8 scale (per int lane on wide vectors).
 */
final class Q6KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.FW);
        for (int b = 0; b < nb; b++) {
            long o = off + 210L * b;
            int eb = qo + 256 * b;
            long s0 = w.get(Simd.LE_LONG, o + 192), s1 = w.get(Simd.LE_LONG, o + 200);
            IntVector isum = IntVector.zero(Simd.IW);
            for (int h = 0; h < 2; h++) {
                long sc = h == 0 ? s0 : s1;
                for (int i = 0; i < 32; i += SL) {
                    long lo = o + 64 * h + i;
                    ShortVector l0 = u8w(w, lo), l1 = u8w(w, lo + 32), hb = u8w(w, o + 128 + 32 * h + i);
                    int e = eb + 128 * h + i;
                    int k = i >> 4;
                    for (int g = 0; g < 4; g++) { // a loop, not unrolled by hand: keeps C2's parse small
                        ShortVector lq = (g & 1) == 0 ? l0 : l1;
                        ShortVector c = lq.lanewise(VectorOperators.LSHR, 4 * (g >> 1)).and((short) 15)
                                .or(hb.lanewise(VectorOperators.LSHR, 2 * g).and((short) 3).lanewise(VectorOperators.LSHL, 4))
                                .sub((short) 32);
                        // group g covers sub-block 2g (+ i/16) and, on 32-lane vectors, 2g+1 in the upper int lanes
                        isum = isum.add(pairSumSmallW(c.mul(actw(q, e + 32 * g))).mul(scales(sc, 2 * g + k)));
                    }
                }
            }
            acc = scaleAddW(isum, Simd.f16(w, o + 208) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** The int8 scale byte j of {@code sc} in every lane; with 32-element steps, byte j+1 in the upper lanes. */
    private static IntVector scales(long sc, int j) {
        IntVector v = IntVector.broadcast(Simd.IW, (byte) (sc >>> (8 * j)));
        return SL < 32 ? v : v.blend((byte) (sc >>> (8 * j + 8)), Simd.IW_UPPER);
    }
}
