package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * F16 weights times F16-rounded activations. The Vector API has no fp16 lane conversion, so halves are widened
 * with integer operations, exactly: sign and the 15 exponent/mantissa bits are placed at the top of a float's
 * mantissa and scaled by 2^112 (exact for normals and subnormals); exponent 31 (inf/NaN) is rebuilt directly.
 * Bit-exact with {@link Float#float16ToFloat} for all 65536 halves.
 */
final class F16Kernel extends RowKernel {
    private static final VectorSpecies<Float> F = Simd.FP;
    private static final VectorSpecies<Integer> I = Simd.IP;
    private static final VectorSpecies<Short> H = Simd.HP;
    private static final int L = F.length();

    static FloatVector load(MemorySegment w, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H, w, off, Simd.LE)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        // sign to bit 31, exponent+mantissa to bits 27..13 (bits 30..28 cleared)
        IntVector bits = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF);
        FloatVector f = bits.reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> special = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
        if (special.anyTrue()) { // inf keeps its bits; NaN also gets the quiet bit, as Float.float16ToFloat does
            IntVector quiet = h.and(0x03FF).compare(VectorOperators.NE, 0).toVector().reinterpretAsInts().and(0x00400000);
            f = f.blend(bits.or(0x70000000).or(quiet).reinterpretAsFloats(), special.cast(F));
        }
        return f;
    }

    @Override
    float dot(MemorySegment w, long off, Activations a, int t) {
        int n = a.cols;
        float[] x = a.f;
        int xo = t * n;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = load(w, off + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), acc0);
            acc1 = load(w, off + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xo + i + L), acc1);
        }
        for (; i + L <= n; i += L) acc0 = load(w, off + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), acc0);
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += Simd.f16(w, off + 2L * i) * x[xo + i];
        return sum;
    }
}
