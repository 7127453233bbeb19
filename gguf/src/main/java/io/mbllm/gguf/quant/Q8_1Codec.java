package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.mbllm.gguf.GgmlType;

/**
 * Q8_1 ({@code shared/docs/quantization.md} §2, §4.1, §5): the activation format of Q4_1 and Q5_1 dot products.
 * Blocks of 32 int8 codes, an fp16 scale {@code d} and an fp16 {@code s = (Σ qs) · d} (with the unrounded d).
 * Quantization ignores importance weights. ggml has no dot product with Q8_1 as the weight type.
 */
final class Q8_1Codec implements QuantCodec {
    private static final GgmlType T = GgmlType.Q8_1;
    private static final int QK = 32;
    private static final int BYTES = 36;

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
            int sum = 0;
            for (int j = 0; j < QK; j++) {
                int q = Rounding.roundAway(src[x + j] * id);
                dst[y + 4 + j] = (byte) q;
                sum += (byte) q;
            }
            LittleEndian.putHalf(dst, y + 2, (float) sum * d);
        }
    }

    /** {@code qs[e] * d}; ggml itself never dequantizes Q8_1 (it is an activation format). */
    @Override
    public void dequantizeRow(MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        CodecChecks.checkDequantize(T, src, srcOff, dst, dstOff, n);
        for (int b = 0; b < n / QK; b++) {
            long s = srcOff + (long) b * BYTES;
            float d = LittleEndian.half(src, s);
            int o = dstOff + b * QK;
            for (int j = 0; j < QK; j++) {
                dst[o + j] = (float) src.get(ValueLayout.JAVA_BYTE, s + 4 + j) * d;
            }
        }
    }

    /** Q8_1 is an activation format only: ggml registers no {@code vec_dot} for Q8_1 weights. */
    static float dot(MemorySegment w, long wOff, MemorySegment a, long aOff, int n) {
        throw new UnsupportedOperationException(
                "q8_1 is an activation format: ggml has no dot product with q8_1 weights");
    }
}
