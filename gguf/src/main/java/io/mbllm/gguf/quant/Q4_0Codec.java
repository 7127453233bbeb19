package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * Q4_0 ({@code shared/docs/quantization.md} §2, §4.2): blocks of 32 4-bit codes {@code q} with one fp16 scale,
 * value {@code (q - 8) * d}; byte j holds element j (low nibble) and j+16 (high nibble). Reference path: the
 * signed extreme maps to code 0; imatrix path: {@code make_qx_quants(32, 8)} with row-statistic weights.
 * Dot products take Q8_0 activations.
 */
final class Q4_0Codec extends LegacyBlockCodec {
    private static final GgmlType T = GgmlType.Q4_0;
    private static final int BYTES = 18;

    Q4_0Codec() {
        super(T);
    }

    @Override
    void quantizeRef(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            float max = ScaleSearch.signedAbsMax(src, x, QK);
            float d = max / -8.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, y, d);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, Rounding.truncInt8(src[x + j] * id + 8.5f));
                int q1 = Math.min(15, Rounding.truncInt8(src[x + j + 16] * id + 8.5f));
                dst[y + 2 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    @Override
    void quantizeImatrix(float[] src, int srcOff, float[] qw, int qwOff, int n, byte[] dst, int dstOff) {
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        SearchScratch scratch = new SearchScratch();
        float sigma2 = ScaleSearch.sumOfSquares(src, srcOff, n) / (float) n;
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            ScaleSearch.imatrixWeights(src, x, qw, qwOff + b * QK, sigma2, weight, 0, QK);
            float d = ScaleSearch.makeQxQuants(QK, 8, src, x, L, 0, weight, 0, scratch);
            LittleEndian.putHalf(dst, y, d);
            for (int j = 0; j < QK / 2; j++) {
                dst[y + 2 + j] = (byte) (L[j] | (L[j + 16] << 4));
            }
        }
    }

    @Override
    void dequantizeBlock(MemorySegment src, long s, float[] dst, int o) {
        float d = LittleEndian.half(src, s);
        for (int j = 0; j < QK / 2; j++) {
            int q = src.get(ValueLayout.JAVA_BYTE, s + 2 + j) & 0xFF;
            dst[o + j] = (float) ((q & 0x0F) - 8) * d;
            dst[o + j + 16] = (float) ((q >>> 4) - 8) * d;
        }
    }

    /** Scalar {@code ggml_vec_dot_q4_0_q8_0}: per block {@code sumf += ((float)sumi * dx) * dy}. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(T, w, wOff, GgmlType.Q8_0, a, aOff, n);
        float sumf = 0;
        for (int b = 0; b < n / QK; b++) {
            long xs = wOff + (long) b * BYTES;
            long ys = aOff + (long) b * 34;
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, xs + 2 + j) & 0xFF;
                sumi0 += ((q & 0x0F) - 8) * a.get(ValueLayout.JAVA_BYTE, ys + 2 + j);
                sumi1 += ((q >>> 4) - 8) * a.get(ValueLayout.JAVA_BYTE, ys + 2 + j + 16);
            }
            int sumi = sumi0 + sumi1;
            sumf += (float) sumi * LittleEndian.half(w, xs) * LittleEndian.half(a, ys);
        }
        return sumf;
    }
}
