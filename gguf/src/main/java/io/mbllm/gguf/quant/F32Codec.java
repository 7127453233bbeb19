package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;

import io.mbllm.gguf.GgmlType;

/**
 * F32: raw little-endian IEEE binary32, bit for bit (NaN payloads and -0.0 preserved). Its dot product takes F32
 * activations.
 */
final class F32Codec implements QuantCodec {
    @Override
    public GgmlType type() { return GgmlType.F32; }

    @Override
    public void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst, int dstOff) {
        CodecChecks.checkQuantize(GgmlType.F32, src, srcOff, importance, impOff, n, dst, dstOff);
        for (int i = 0; i < n; i++) {
            LittleEndian.putInt(dst, dstOff + 4 * i, Float.floatToRawIntBits(src[srcOff + i]));
        }
    }

    @Override
    public void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(GgmlType.F32, src, srcOff, dst, dstOff, n);
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = src.get(LittleEndian.LE_FLOAT, srcOff + 4L * i);
        }
    }

    /**
     * ggml's scalar {@code ggml_vec_dot_f32} (vec.cpp, the non-SIMD branch): each product {@code x[i]*y[i]} is
     * rounded to float, the products are summed in index order in double ({@code ggml_float}), and the sum is
     * rounded to float once at the end.
     */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(GgmlType.F32, w, wOff, GgmlType.F32, a, aOff, n);
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            float p = w.get(LittleEndian.LE_FLOAT, wOff + 4L * i) * a.get(LittleEndian.LE_FLOAT, aOff + 4L * i);
            sum += p;
        }
        return (float) sum;
    }
}
