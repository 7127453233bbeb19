package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/** BF16: bfloat16 via {@link BFloat16} (ggml's rounding). Its dot product takes BF16 activations. */
final class BF16Codec implements QuantCodec {
    @Override
    public GgmlType type() { return GgmlType.BF16; }

    @Override
    public void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst, int dstOff) {
        CodecChecks.checkQuantize(GgmlType.BF16, src, srcOff, importance, impOff, n, dst, dstOff);
        for (int i = 0; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, BFloat16.fromFloat(src[srcOff + i]));
        }
    }

    @Override
    public void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(GgmlType.BF16, src, srcOff, dst, dstOff, n);
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = BFloat16.toFloat(src.get(LittleEndian.LE_SHORT, srcOff + 2L * i));
        }
    }

    /**
     * ggml's scalar {@code ggml_vec_dot_bf16} (vec.cpp, the tail loop that is the whole loop without SIMD): both
     * operands widened to float, the product rounded to float, products summed in index order in double, the sum
     * rounded to float at the end.
     */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(GgmlType.BF16, w, wOff, GgmlType.BF16, a, aOff, n);
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            float p = BFloat16.toFloat(w.get(LittleEndian.LE_SHORT, wOff + 2L * i))
                    * BFloat16.toFloat(a.get(LittleEndian.LE_SHORT, aOff + 2L * i));
            sum += p;
        }
        return (float) sum;
    }
}
