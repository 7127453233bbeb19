package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * Quantizes and dequantizes rows of one ggml type, bit-exact with ggml's reference code
 * ({@code shared/docs/quantization.md} §4). Implementations are stateless and thread-safe; scratch space
 * they need per call is small and local.
 */
public interface QuantCodec {
    /** The type this codec writes and reads. */
    GgmlType type();

    /**
     * Quantizes one row of {@code n} floats ({@code n} a multiple of the block size).
     *
     * @param importance importance weights (imatrix) for this row, or {@code null} for the reference path;
     *                   types that ignore an imatrix (Q8_0, F16, ...) accept and ignore it
     */
    void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst, int dstOff);

    /** Dequantizes one row of {@code n} values starting at byte {@code srcOff} of {@code src}. */
    void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n);

    /** True when this type changes its output with importance weights (ggml: the K-quants, legacy 4/5-bit, IQ4_NL). */
    default boolean usesImportance() { return false; }

    /** True when llama.cpp refuses to quantize to this type without an imatrix (none of ours). */
    default boolean requiresImportance() { return false; }
}
