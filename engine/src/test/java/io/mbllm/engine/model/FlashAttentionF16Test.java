package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.mbllm.kernels.nativ.NativeAttention;
import io.mbllm.kernels.nativ.NativeVariant;

/**
 * {@link FlashAttentionF16} against a float64 softmax attention over the same F16-rounded query, keys and values:
 * equal up to the F16 rounding of the V accumulator (relative 2^-11 per step), for head sizes with and without a
 * tail past the 64-wide blocks (64, 80, 8) and several lengths; and two heads attended in turn do not disturb each
 * other's scratch rows.
 */
class FlashAttentionF16Test {

    @Test
    void matchesFloat64SoftmaxAttention() {
        for (int hd : new int[] {64, 80, 8}) {
            for (int len : new int[] {1, 2, 17, 300}) check(hd, len, 2);
        }
    }

    /** The vector form of ggml's 16-lane F16 dot product gives the scalar lane-by-lane form's bits. */
    @Test
    void vectorDotEqualsLaneByLaneDot() {
        SplittableRandom r = new SplittableRandom(3);
        float[] scratch = new float[16 + 5];
        for (int n : new int[] {8, 64, 80, 128, 200}) {
            for (int k = 0; k < 50; k++) {
                float[] x = new float[n + 3], y = new float[n + 7];
                for (int i = 0; i < x.length; i++) x[i] = FlashAttentionF16.f16((float) r.nextGaussian());
                for (int i = 0; i < y.length; i++) y[i] = FlashAttentionF16.f16((float) r.nextGaussian() * 3);
                float a = FlashAttentionF16.dotF16(x, 3, y, 7, n);
                float b = FlashAttentionF16.dotF16(x, 3, y, 7, n, scratch, 5);
                assertEquals(Float.floatToIntBits(a), Float.floatToIntBits(b), "n " + n);
            }
        }
    }

    /**
     * The native form ({@code mbllm_attn_f16}, each SIMD build this CPU runs: AVX2 and AVX-512) gives the Java
     * form's bits: head sizes with and without tails past the 64-wide dot blocks and the 16-wide V vectors, lengths
     * 1..300, queries not yet rounded, scores spread wide enough that the running maximum moves often and many
     * weights underflow. {@code attend} itself (the variant the engine picks) is checked too.
     */
    @Test
    void nativeEqualsJava() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeAttention.isAvailable(), "native attention unavailable here");
        for (int hd : new int[] {64, 80, 8, 100, 128, 256}) {
            for (int len : new int[] {1, 2, 17, 300}) {
                for (float spread : new float[] {1f, 12f}) {
                    SplittableRandom r = new SplittableRandom(hd * 7919L + len * 31L + (long) spread);
                    int heads = 3, kvHeads = 2, kDim = kvHeads * hd, vDim = kvHeads * hd + 5;
                    float[] q = new float[heads * hd + 2];
                    short[] keys = new short[len * kDim + 1], values = new short[len * vDim + 3];
                    for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian() * spread;
                    for (int i = 0; i < keys.length; i++) keys[i] = Float.floatToFloat16((float) r.nextGaussian());
                    for (int i = 0; i < values.length; i++) values[i] = Float.floatToFloat16((float) r.nextGaussian() * 3);
                    float scale = 1.0f / (float) Math.sqrt(hd);
                    FlashAttentionF16 fa = new FlashAttentionF16(heads, hd, hd);
                    float[] want = new float[heads * hd + 1], viaAttend = new float[heads * hd + 1];
                    for (int h = 0; h < heads; h++) {
                        int kvh = h % kvHeads;
                        fa.attendJava(h, q, 1 + h * hd, MemorySegment.ofArray(keys), MemorySegment.ofArray(values), len,
                                kvh * hd, 2 + kvh * hd, kDim, vDim, hd, hd, scale, want, h * hd);
                        fa.attend(h, q, 1 + h * hd, MemorySegment.ofArray(keys), MemorySegment.ofArray(values), len,
                                kvh * hd, 2 + kvh * hd, kDim, vDim, hd, hd, scale, viaAttend, h * hd);
                    }
                    assertSameBits(want, viaAttend, "attend hd " + hd + " len " + len + " spread " + spread);
                    for (NativeVariant v : NativeAttention.variants()) {
                        float[] got = new float[heads * hd + 1];
                        for (int h = 0; h < heads; h++) {
                            int kvh = h % kvHeads;
                            NativeAttention.attendF16(v, MemorySegment.ofArray(q), 1 + h * hd, MemorySegment.ofArray(keys),
                                    kvh * hd, kDim, MemorySegment.ofArray(values), 2 + kvh * hd, vDim, len, hd, hd, scale,
                                    MemorySegment.ofArray(got), h * hd);
                        }
                        assertSameBits(want, got, v + " hd " + hd + " len " + len + " spread " + spread);
                    }
                }
            }
        }
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            int idx = i;
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                    () -> what + " [" + idx + "] native " + got[idx] + " vs Java " + want[idx]);
        }
    }

    private static void check(int hd, int len, int heads) {
        SplittableRandom r = new SplittableRandom(hd * 1000L + len);
        int kDim = heads * hd;
        float[] q = new float[kDim];
        short[] keys = new short[len * kDim], values = new short[len * kDim];
        for (int i = 0; i < q.length; i++) q[i] = FlashAttentionF16.f16((float) r.nextGaussian());
        for (int i = 0; i < keys.length; i++) keys[i] = Float.floatToFloat16((float) r.nextGaussian());
        for (int i = 0; i < values.length; i++) values[i] = Float.floatToFloat16((float) r.nextGaussian());
        float scale = 1.0f / (float) Math.sqrt(hd);
        FlashAttentionF16 fa = new FlashAttentionF16(heads, hd, hd);
        float[] out = new float[kDim];
        for (int h = 0; h < heads; h++) {
            fa.attend(h, q, h * hd, MemorySegment.ofArray(keys), MemorySegment.ofArray(values), len, h * hd, h * hd, kDim,
                    kDim, hd, hd, scale, out, h * hd);
        }
        for (int h = 0; h < heads; h++) {
            double[] s = new double[len];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p = 0; p < len; p++) {
                double d = 0;
                for (int i = 0; i < hd; i++) d += (double) q[h * hd + i] * Float.float16ToFloat(keys[p * kDim + h * hd + i]);
                s[p] = d * scale;
                max = Math.max(max, s[p]);
            }
            for (int p = 0; p < len; p++) sum += s[p] = Math.exp(s[p] - max);
            for (int i = 0; i < hd; i++) {
                double want = 0;
                for (int p = 0; p < len; p++) want += s[p] / sum * Float.float16ToFloat(values[p * kDim + h * hd + i]);
                // the F16 accumulator: each of the len steps may round by 2^-11 of the running value (|v| <~ 4)
                double tol = 4 * Math.pow(2, -11) * Math.sqrt(len) + 1e-6;
                assertEquals(want, out[h * hd + i], tol, "hd " + hd + " len " + len + " head " + h + " [" + i + "]");
            }
        }
    }
}
