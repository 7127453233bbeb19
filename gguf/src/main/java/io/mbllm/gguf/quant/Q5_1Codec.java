package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * Q5_1 ({@code shared/docs/quantization.md} §2, §4.5): blocks of 32 unsigned 5-bit codes with fp16 scale
 * {@code d} and fp16 offset {@code m}, value {@code q*d + m}; bit layout as Q5_0 (qh at byte 4, nibbles at 8).
 * Reference path: min/max range; imatrix path {@code make_qkx3_quants(32, 31, -0.9, 0.05, 36)}. Dot products take
 * Q8_1 activations.
 */
final class Q5_1Codec extends LegacyBlockCodec {
    private static final GgmlType T = GgmlType.Q5_1;
    private static final int BYTES = 24;

    Q5_1Codec() {
        super(T);
    }

    @Override
    void quantizeRef(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 31.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, y, d);
            LittleEndian.putHalf(dst, y + 2, min);
            for (int j = 0; j < QK; j++) {
                // ggml: (uint8_t)(x0 + 0.5f), no clamp; the argument lies in [0, 31.5]
                L[j] = (byte) (int) ((src[x + j] - min) * id + 0.5f);
            }
            LittleEndian.putInt(dst, y + 4, Q5_0Codec.packFiveBit(L, dst, y + 8));
        }
    }

    @Override
    void quantizeImatrix(float[] src, int srcOff, float[] qw, int qwOff, int n, byte[] dst, int dstOff) {
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        SearchScratch scratch = new SearchScratch();
        float[] min = new float[1];
        float sigma2 = ScaleSearch.sumOfSquares(src, srcOff, n) / (float) n;
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            ScaleSearch.imatrixWeights(src, x, qw, qwOff + b * QK, sigma2, weight, 0, QK);
            float d = ScaleSearch.makeQkx3Quants(QK, 31, src, x, weight, 0, L, 0, min, 0, scratch, -0.9f, 0.05f, 36, false);
            LittleEndian.putHalf(dst, y, d);
            LittleEndian.putHalf(dst, y + 2, -min[0]);
            LittleEndian.putInt(dst, y + 4, Q5_0Codec.packFiveBit(L, dst, y + 8));
        }
    }

    @Override
    void dequantizeBlock(MemorySegment src, long s, float[] dst, int o) {
        float d = LittleEndian.half(src, s);
        float m = LittleEndian.half(src, s + 2);
        int qh = src.get(LittleEndian.LE_INT, s + 4);
        for (int j = 0; j < QK / 2; j++) {
            int q = src.get(ValueLayout.JAVA_BYTE, s + 8 + j) & 0xFF;
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            dst[o + j] = (float) ((q & 0x0F) | h0) * d + m;
            dst[o + j + 16] = (float) ((q >>> 4) | h1) * d + m;
        }
    }

    /** Scalar {@code ggml_vec_dot_q5_1_q8_1}: per block {@code sumf += (dx*dy)*(float)sumi + mx*sy}. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(T, w, wOff, GgmlType.Q8_1, a, aOff, n);
        float sumf = 0;
        for (int b = 0; b < n / QK; b++) {
            long xs = wOff + (long) b * BYTES;
            long ys = aOff + (long) b * 36;
            int qh = w.get(LittleEndian.LE_INT, xs + 4);
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, xs + 8 + j) & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                sumi0 += ((q & 0x0F) | h0) * a.get(ValueLayout.JAVA_BYTE, ys + 4 + j);
                sumi1 += ((q >>> 4) | h1) * a.get(ValueLayout.JAVA_BYTE, ys + 4 + j + 16);
            }
            int sumi = sumi0 + sumi1;
            sumf += (LittleEndian.half(w, xs) * LittleEndian.half(a, ys)) * (float) sumi
                    + LittleEndian.half(w, xs + 2) * LittleEndian.half(a, ys + 2);
        }
        return sumf;
    }
}
