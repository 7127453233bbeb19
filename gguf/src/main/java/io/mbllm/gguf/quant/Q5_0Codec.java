package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * Q5_0 ({@code shared/docs/quantization.md} §2, §4.4): blocks of 32 5-bit codes {@code q} with one fp16 scale,
 * value {@code (q - 16) * d}; low nibbles as Q4_0, bit 4 of element e in bit e of the little-endian {@code qh}.
 * Reference path as Q4_0 with 16 levels per side; imatrix path {@code make_qx_quants(32, 16)}. Dot products take
 * Q8_0 activations.
 */
final class Q5_0Codec extends LegacyBlockCodec {
    private static final GgmlType T = GgmlType.Q5_0;
    private static final int BYTES = 22;

    Q5_0Codec() {
        super(T);
    }

    @Override
    void quantizeRef(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            int x = srcOff + b * QK;
            int y = dstOff + b * BYTES;
            float max = ScaleSearch.signedAbsMax(src, x, QK);
            float d = max / -16.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putHalf(dst, y, d);
            for (int j = 0; j < QK; j++) {
                L[j] = (byte) Math.min(31, Rounding.truncInt8(src[x + j] * id + 16.5f));
            }
            LittleEndian.putInt(dst, y + 2, packFiveBit(L, dst, y + 6));
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
            float d = ScaleSearch.makeQxQuants(QK, 16, src, x, L, 0, weight, 0, scratch);
            LittleEndian.putHalf(dst, y, d);
            LittleEndian.putInt(dst, y + 2, packFiveBit(L, dst, y + 6));
        }
    }

    /** Writes the low nibbles of 32 codes (0..31) at {@code qsOff} and returns {@code qh}. Shared with Q5_1. */
    static int packFiveBit(byte[] L, byte[] dst, int qsOff) {
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            int q0 = L[j], q1 = L[j + 16];
            dst[qsOff + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >>> 4) << j;
            qh |= ((q1 & 0x10) >>> 4) << (j + 16);
        }
        return qh;
    }

    @Override
    void dequantizeBlock(MemorySegment src, long s, float[] dst, int o) {
        float d = LittleEndian.half(src, s);
        int qh = src.get(LittleEndian.LE_INT, s + 2);
        for (int j = 0; j < QK / 2; j++) {
            int q = src.get(ValueLayout.JAVA_BYTE, s + 6 + j) & 0xFF;
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            dst[o + j] = (float) (((q & 0x0F) | h0) - 16) * d;
            dst[o + j + 16] = (float) (((q >>> 4) | h1) - 16) * d;
        }
    }

    /** Scalar {@code ggml_vec_dot_q5_0_q8_0}: per block {@code sumf += (dx*dy) * (float)sumi}. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(T, w, wOff, GgmlType.Q8_0, a, aOff, n);
        float sumf = 0;
        for (int b = 0; b < n / QK; b++) {
            long xs = wOff + (long) b * BYTES;
            long ys = aOff + (long) b * 34;
            int qh = w.get(LittleEndian.LE_INT, xs + 2);
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, xs + 6 + j) & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                sumi0 += (((q & 0x0F) | h0) - 16) * a.get(ValueLayout.JAVA_BYTE, ys + 2 + j);
                sumi1 += (((q >>> 4) | h1) - 16) * a.get(ValueLayout.JAVA_BYTE, ys + 2 + j + 16);
            }
            int sumi = sumi0 + sumi1;
            sumf += (LittleEndian.half(w, xs) * LittleEndian.half(a, ys)) * (float) sumi;
        }
        return sumf;
    }
}
