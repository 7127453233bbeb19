package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.quant.BFloat16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** BF16 weights times BF16-rounded activations: bf16 widened exactly ({@code bits << 16}), FMA accumulators. */
final class BF16Kernel extends RowKernel {
    private static final VectorSpecies<Float> F = Simd.FP;
    private static final VectorSpecies<Integer> I = Simd.IP;
    private static final VectorSpecies<Short> H = Simd.HP;
    private static final int L = F.length();

    private static FloatVector load(MemorySegment w, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H, w, off, Simd.LE)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
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
        for (; i < n; i++) sum += BFloat16.toFloat(w.get(Simd.LE_SHORT, off + 2L * i)) * x[xo + i];
        return sum;
    }
}
