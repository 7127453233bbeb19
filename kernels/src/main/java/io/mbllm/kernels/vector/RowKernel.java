package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;

/**
 * The vectorised dot product of one weight row of one type with one activation row in that type's activation
 * format ({@link Activations}). Integer work per block is exact; the per-block float scaling accumulates in
 * vector lanes, so results differ from the scalar reference only by float rounding. One subclass per weight
 * type, each monomorphic inside its loop.
 */
abstract sealed class RowKernel
        permits F32Kernel, F16Kernel, BF16Kernel, Q8_0Kernel, Q4_0Kernel, Q4_1Kernel, Q5_0Kernel, Q5_1Kernel,
        IQ4_NLKernel, Q2KKernel, Q3KKernel, Q4KKernel, Q5KKernel, Q6KKernel {

    /** {@code W[row] · x_t} for the weight row at byte {@code off} of {@code w} and token {@code t} of {@code a}. */
    abstract float dot(MemorySegment w, long off, Activations a, int t);
}
