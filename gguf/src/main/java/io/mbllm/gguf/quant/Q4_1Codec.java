package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * Q4_1 ({@code shared/docs/quantization.md} §2, §4.3): blocks of 32 unsigned 4-bit codes with fp16 scale
 * {@code d} and fp16 offset {@code m}, value {@code q*d + m}; nibble order as Q4_0. Reference path: min/max
 * range; imatrix path: {@code make_qkx3_quants(32, 15, -0.9, 0.05, 36)} with row-statistic weights. Dot
 * products take Q8_1 activations.
 */
final class Q4_1Codec extends LegacyBlockCodec {
    private static final GgmlType T = GgmlType.Q4_1;
    private static final int BYTES = 20;

    Q4_1Codec() {
        super(T);
    }

    @Override
    void quantizeRef(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 15.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, y, d);
            LittleEndian.putHalf(dst, y + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, Rounding.truncInt8((src[x + j] - min) * id + 0.5f));
                int q1 = Math.min(15, Rounding.truncInt8((src[x + j + 16] - min) * id + 0.5f));
                dst[y + 4 + j] = (byte) (q0 | (q1 << 4));
            }
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
            float d = ScaleSearch.makeQkx3Quants(QK, 15, src, x, weight, 0, L, 0, min, 0, scratch, -0.9f, 0.05f, 36, false);
            LittleEndian.putHalf(dst, y, d);
            LittleEndian.putHalf(dst, y + 2, -min[0]);
            for (int j = 0; j < QK / 2; j++) {
                dst[y + 4 + j] = (byte) (L[j] | (L[j + 16] << 4));
            }
        }
    }

    @Override
    void dequantizeBlock(MemorySegment src, long s, float[] dst, int o) {
        float d = LittleEndian.half(src, s);
        float m = LittleEndian.half(src, s + 2);
        for (int j = 0; j < QK / 2; j++) {
            int q = src.get(ValueLayout.JAVA_BYTE, s + 4 + j) & 0xFF;
            dst[o + j] = (float) (q & 0x0F) * d + m;
            dst[o + j + 16] = (float) (q >>> 4) * d + m;
        }
    }

    /** Scalar {@code ggml_vec_dot_q4_1_q8_1}: per block {@code sumf += (dx*dy)*(float)sumi + mx*sy}. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(T, w, wOff, GgmlType.Q8_1, a, aOff, n);
        float sumf = 0;
        for (int b = 0; b < n / QK; b++) {
            long xs = wOff + (long) b * BYTES;
            long ys = aOff + (long) b * 36;
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, xs + 4 + j) & 0xFF;
                sumi0 += (q & 0x0F) * a.get(ValueLayout.JAVA_BYTE, ys + 4 + j);
                sumi1 += (q >>> 4) * a.get(ValueLayout.JAVA_BYTE, ys + 4 + j + 16);
            }
            int sumi = sumi0 + sumi1;
            sumf += (LittleEndian.half(w, xs) * LittleEndian.half(a, ys)) * (float) sumi
                    + LittleEndian.half(w, xs + 2) * LittleEndian.half(a, ys + 2);
        }
        return sumf;
    }
}
