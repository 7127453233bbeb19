package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;

/**
 * The portable scalar dot product of one weight row with one activation row in the weight type's activation
 * format ({@code shared/docs/quantization.md} §5), in ggml's exact summation order. This is the reference the
 * fast kernels are checked against.
 */
@FunctionalInterface
public interface VecDot {
    float dot(MemorySegment weights, long wOff, MemorySegment activations, long aOff, int n);
}
