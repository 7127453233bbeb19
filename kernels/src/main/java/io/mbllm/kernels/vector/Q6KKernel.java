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
 * Q6_K · Q8_K (210 bytes: ql[128], qh[64], int8 scales[16], fp16 d). For half h and 16-byte quarter r, the
 * bytes ql[64h+16r], ql[64h+32+16r] and qh[32h+16r] give four sub-blocks of 16 (8h+r, +2, +4, +6): low nibbles
 * with qh bits 0-1, 2-3, then high nibbles with bits 4-5, 6-7. Signed codes (-32..31) times activations are
 * summed per sub-block, then multiplied by the int8 scale.
 */
final class Q6KKernel extends RowKernel {
    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int nb = a.cols >> 8;
        short[] q = a.q;
        float[] ad = a.d;
        int qo = t * a.cols, bo = t * nb;
        FloatVector acc = FloatVector.zero(Simd.F256);
        for (int b = 0; b < nb; b++, off += 210, qo += 256) {
            long s0 = w.get(Simd.LE_LONG, off + 192), s1 = w.get(Simd.LE_LONG, off + 200);
            IntVector isum = IntVector.zero(Simd.I256);
            for (int h = 0; h < 2; h++) {
                long sc = h == 0 ? s0 : s1;
                for (int r = 0; r < 2; r++) {
                    long lo = off + 64 * h + 16 * r;
                    ShortVector l0 = u8x16(w, lo), l1 = u8x16(w, lo + 32), hb = u8x16(w, off + 128 + 32 * h + 16 * r);
                    int e = qo + 128 * h + 16 * r;
                    ShortVector c0 = l0.and((short) 15).or(hb.and((short) 3).lanewise(VectorOperators.LSHL, 4)).sub((short) 32);
                    ShortVector c1 = l1.and((short) 15).or(hb.and((short) 12).lanewise(VectorOperators.LSHL, 2)).sub((short) 32);
                    ShortVector c2 = l0.lanewise(VectorOperators.LSHR, 4).or(hb.and((short) 48)).sub((short) 32);
                    ShortVector c3 = l1.lanewise(VectorOperators.LSHR, 4).or(hb.and((short) 192).lanewise(VectorOperators.LSHR, 2)).sub((short) 32);
                    // sub-blocks r, r+2, r+4, r+6 of this half: scale bytes r, r+2, r+4, r+6 of sc
                    isum = isum.add(pairSum(c0.mul(act(q, e))).mul((int) (byte) (sc >>> (8 * r))))
                            .add(pairSum(c1.mul(act(q, e + 32))).mul((int) (byte) (sc >>> (8 * r + 16))))
                            .add(pairSum(c2.mul(act(q, e + 64))).mul((int) (byte) (sc >>> (8 * r + 32))))
                            .add(pairSum(c3.mul(act(q, e + 96))).mul((int) (byte) (sc >>> (8 * r + 48))));
                }
            }
            acc = scaleAdd(isum, f16(w, off + 208) * ad[bo + b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
