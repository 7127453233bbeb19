package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/** F16: IEEE binary16 via {@link Half} (ggml's rounding). Its dot product takes F16 activations. */
final class F16Codec implements QuantCodec {
    @Override
    public GgmlType type() { return GgmlType.F16; }

    @Override
    public void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst, int dstOff) {
        CodecChecks.checkQuantize(GgmlType.F16, src, srcOff, importance, impOff, n, dst, dstOff);
        for (int i = 0; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, Half.fromFloat(src[srcOff + i]));
        }
    }

    @Override
    public void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(GgmlType.F16, src, srcOff, dst, dstOff, n);
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = LittleEndian.half(src, srcOff + 2L * i);
        }
    }

    /**
     * ggml's scalar {@code ggml_vec_dot_f16} (vec.cpp, the non-SIMD branch): both operands widened to float, the
     * product rounded to float, products summed in index order in double, the sum rounded to float at the end.
     */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(GgmlType.F16, w, wOff, GgmlType.F16, a, aOff, n);
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            float p = LittleEndian.half(w, wOff + 2L * i) * LittleEndian.half(a, aOff + 2L * i);
            sum += p;
        }
        return (float) sum;
    }
}
