package io.mbllm.kernels.vector;

import java.util.EnumMap;
import java.util.Map;

import io.mbllm.gguf.GgmlType;

/** The one table of Vector API row kernels by weight type (the activation format comes from {@code QuantTypes}). */
final class Kernels {
    private Kernels() {}

    private static final Map<GgmlType, RowKernel> TABLE = new EnumMap<>(GgmlType.class);

    static {
        TABLE.put(GgmlType.F32, new F32Kernel());
        TABLE.put(GgmlType.F16, new F16Kernel());
        TABLE.put(GgmlType.BF16, new BF16Kernel());
        TABLE.put(GgmlType.Q8_0, new Q8_0Kernel());
        TABLE.put(GgmlType.Q4_0, new Q4_0Kernel());
        TABLE.put(GgmlType.Q4_1, new Q4_1Kernel());
        TABLE.put(GgmlType.Q5_0, new Q5_0Kernel());
        TABLE.put(GgmlType.Q5_1, new Q5_1Kernel());
        TABLE.put(GgmlType.IQ4_NL, new IQ4_NLKernel());
        TABLE.put(GgmlType.Q2_K, new Q2KKernel());
        TABLE.put(GgmlType.Q3_K, new Q3KKernel());
        TABLE.put(GgmlType.Q4_K, new Q4KKernel());
        TABLE.put(GgmlType.Q5_K, new Q5KKernel());
        TABLE.put(GgmlType.Q6_K, new Q6KKernel());
    }

    /** The kernel for weights of {@code type}, or {@code null} when there is none. */
    static RowKernel find(GgmlType type) {
        return TABLE.get(type);
    }
}
