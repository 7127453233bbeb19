package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * IQ4_NL ({@code shared/docs/quantization.md} §2, §4.12): blocks of 32 4-bit indices into a fixed non-linear
 * table {@link #VALUES} with one fp16 scale, value {@code d * VALUES[q]}; nibble order as Q4_0. Both paths run
 * the same weighted scale search (±7 trials, ggml {@code quantize_iq4_nl} with {@code ntry = 7}); the weights
 * are {@code x²} without an imatrix and {@code qw*sqrtf(sigma2 + x²)} with one (sigma2 per 32-block). Dot products
 * take Q8_0 activations.
 */
final class IQ4_NLCodec extends LegacyBlockCodec {
    private static final GgmlType T = GgmlType.IQ4_NL;
    private static final int BYTES = 18;
    private static final int NTRY = 7;

    /** ggml {@code kvalues_iq4nl}. */
    private static final int[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    IQ4_NLCodec() {
        super(T);
    }

    @Override
    void quantizeRef(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        quantizeBlocks(src, srcOff, null, 0, n, dst, dstOff);
    }

    @Override
    void quantizeImatrix(float[] src, int srcOff, float[] qw, int qwOff, int n, byte[] dst, int dstOff) {
        quantizeBlocks(src, srcOff, qw, qwOff, n, dst, dstOff);
    }

    private static void quantizeBlocks(float[] src, int srcOff, float[] qw, int qwOff, int n, byte[] dst, int dstOff) {
        float[] weight = new float[QK];
        for (int b = 0; b < n / QK; b++) {
            quantizeBlock(src, srcOff + b * QK, qw, qw == null ? 0 : qwOff + b * QK, weight, dst, dstOff + b * BYTES);
        }
    }

    private static void quantizeBlock(float[] x, int xo, float[] qw, int qwo, float[] weight, byte[] dst, int y) {
        if (qw != null) {
            float sigma2 = ScaleSearch.sumOfSquares(x, xo, QK) * (2.0f / QK);
            ScaleSearch.imatrixWeights(x, xo, qw, qwo, sigma2, weight, 0, QK);
        } else {
            for (int j = 0; j < QK; j++) weight[j] = x[xo + j] * x[xo + j];
        }
        float max = ScaleSearch.signedAbsMax(x, xo, QK);
        float d = 0;
        if (Math.abs(max) >= ScaleSearch.GROUP_MAX_EPS) {
            d = -max / (float) VALUES[0];
            float id = 1 / d;
            float sumqx = 0, sumq2 = 0;
            for (int j = 0; j < QK; j++) {
                float q = VALUES[bestIndex(id * x[xo + j])];
                float w = weight[j];
                sumqx += w * q * x[xo + j];
                sumq2 += w * q * q;
            }
            d = sumqx / sumq2;
            float best = d * sumqx;
            for (int itry = -NTRY; itry <= NTRY; itry++) {
                id = (float) (itry + VALUES[0]) / max;
                sumqx = 0;
                sumq2 = 0;
                for (int j = 0; j < QK; j++) {
                    float q = VALUES[bestIndex(id * x[xo + j])];
                    float w = weight[j];
                    sumqx += w * q * x[xo + j];
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
        }
        LittleEndian.putHalf(dst, y, d);
        float id = d != 0 ? 1 / d : 0;
        for (int j = 0; j < QK / 2; j++) {
            int l0 = bestIndex(id * x[xo + j]);
            int l1 = bestIndex(id * x[xo + j + 16]);
            dst[y + 2 + j] = (byte) (l0 | (l1 << 4));
        }
    }

    /**
     * For every integer {@code k} in {@code [VALUES[0], VALUES[15])}: the index {@code i} with
     * {@code VALUES[i] <= k < VALUES[i+1]}.
     */
    private static final byte[] BELOW = new byte[VALUES[15] - VALUES[0]];

    static {
        int i = 0;
        for (int k = VALUES[0]; k < VALUES[15]; k++) {
            while (VALUES[i + 1] <= k) i++;
            BELOW[k - VALUES[0]] = (byte) i;
        }
    }

    /**
     * ggml {@code best_index_int8}: index of the nearest table entry, ties to the upper one. ggml's bisection ends
     * at the {@code i} with {@code VALUES[i] <= v < VALUES[i+1]}; as the entries are integers, that {@code i} depends
     * only on {@code floor(v)} and is read from a table. A NaN gives 15, as the bisection does.
     */
    static int bestIndex(float v) {
        if (v <= VALUES[0]) return 0;
        if (v >= VALUES[15] || v != v) return 15;
        int lo = BELOW[(int) Math.floor(v) - VALUES[0]];
        return v - (float) VALUES[lo] < (float) VALUES[lo + 1] - v ? lo : lo + 1;
    }

    @Override
    void dequantizeBlock(MemorySegment src, long s, float[] dst, int o) {
        float d = LittleEndian.half(src, s);
        for (int j = 0; j < QK / 2; j++) {
            int q = src.get(ValueLayout.JAVA_BYTE, s + 2 + j) & 0xFF;
            dst[o + j] = d * (float) VALUES[q & 0x0F];
            dst[o + j + 16] = d * (float) VALUES[q >>> 4];
        }
    }

    /** Scalar {@code ggml_vec_dot_iq4_nl_q8_0}: per block {@code sumf += (dy*dx) * (float)(sumi1 + sumi2)}. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        CodecChecks.checkDot(T, w, wOff, GgmlType.Q8_0, a, aOff, n);
        float sumf = 0;
        for (int b = 0; b < n / QK; b++) {
            long xs = wOff + (long) b * BYTES;
            long ys = aOff + (long) b * 34;
            float d = LittleEndian.half(a, ys) * LittleEndian.half(w, xs);
            int sumi1 = 0, sumi2 = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, xs + 2 + j) & 0xFF;
                sumi1 += a.get(ValueLayout.JAVA_BYTE, ys + 2 + j) * VALUES[q & 0x0F];
                sumi2 += a.get(ValueLayout.JAVA_BYTE, ys + 2 + j + 16) * VALUES[q >>> 4];
            }
            sumf += d * (float) (sumi1 + sumi2);
        }
        return sumf;
    }
}
