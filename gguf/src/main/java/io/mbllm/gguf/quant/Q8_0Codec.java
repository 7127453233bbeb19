package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * Q8_0 ({@code shared/docs/quantization.md} §2, §4.1): blocks of 32 int8 codes with one fp16 scale; also the
 * activation format of Q8_0, Q4_0, Q5_0 and IQ4_NL dot products. Quantization ignores importance weights.
 */
final class Q8_0Codec implements QuantCodec {
    private static final GgmlType T = GgmlType.Q8_0;
    private static final int QK = 32;
    private static final int BYTES = 34;

    @Override
    public GgmlType type() { return T; }

    @Override
    public void quantizeRow(float[] src, int srcOff, float[] importance, int impOff, int n, byte[] dst, int dstOff) {
        CodecChecks.checkQuantize(T, src, srcOff, importance, impOff, n, dst, dstOff);
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            float amax = ScaleSearch.maxAbs(src, x, QK);
            float d = amax / 127.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, y, d);
            for (int j = 0; j < QK; j++) {
                dst[y + 2 + j] = (byte) Rounding.roundAway(src[x + j] * id);
            }
        }
    }

    @Override
    public void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(T, src, srcOff, dst, dstOff, n);
        for (int b = 0; b < n / QK; b++) {
            long s = srcOff + (long) b * BYTES;
            float d = LittleEndian.half(src, s);
            int o = dstOff + b * QK;
            for (int j = 0; j < QK; j++) {
                dst[o + j] = (float) src.get(ValueLayout.JAVA_BYTE, s + 2 + j) * d;
            }
        }
    }

    /** Scalar {@code ggml_vec_dot_q8_0_q8_0}: per block {@code sumf += (float)sumi * (dx*dy)}. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(T, w, wOff, T, a, aOff, n);
        float sumf = 0;
        for (int b = 0; b < n / QK; b++) {
            long xs = wOff + (long) b * BYTES;
            long ys = aOff + (long) b * BYTES;
            int sumi = 0;
            for (int j = 0; j < QK; j++) {
                sumi += w.get(ValueLayout.JAVA_BYTE, xs + 2 + j) * a.get(ValueLayout.JAVA_BYTE, ys + 2 + j);
            }
            sumf += (float) sumi * (LittleEndian.half(w, xs) * LittleEndian.half(a, ys));
        }
        return sumf;
    }
}
