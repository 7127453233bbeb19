package io.mbllm.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import io.mbllm.gguf.GgmlType;
import io.mbllm.testkit.SplitMix64;

/**
 * F32, F16 and BF16 codecs and their dot products: byte layout, round trips on the golden input rows and on
 * edge cases (-0.0, subnormals, NaN, infinities), exhaustive 16-bit round trips, and the documented summation
 * order of the float dot products.
 */
class FloatCodecTest {
    private static final float[] SPECIALS = {
            0.0f, -0.0f, 1.0f, -1.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.intBitsToFloat(0x007FFFFF),
            Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.NaN, Float.intBitsToFloat(0x7FA00001), Float.intBitsToFloat(0xFFC00000), 65504f, 65520f,
            0x1p-24f, 0x1p-25f, 0x1p-14f, 3.14159265f, -2.5e-30f};

    /** Golden input rows (generated; no shared data needed) followed by the special values. */
    private static float[] inputs() {
        float[] in = GoldenRows.input();
        float[] all = new float[in.length + SPECIALS.length];
        System.arraycopy(in, 0, all, 0, in.length);
        System.arraycopy(SPECIALS, 0, all, in.length, SPECIALS.length);
        return all;
    }

    private static byte[] quantize(GgmlType t, float[] x) {
        byte[] out = new byte[(int) t.rowBytes(x.length)];
        QuantTypes.codec(t).quantizeRow(x, 0, null, 0, x.length, out, 0);
        return out;
    }

    private static float[] dequantize(GgmlType t, byte[] q, int n) {
        float[] out = new float[n];
        QuantTypes.codec(t).dequantizeRow(MemorySegment.ofArray(q), 0, out, 0, n);
        return out;
    }

    private static int u16(byte[] b, int i) { return (b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8; }

    // ------------------------------------------------------------------------------------------------ F32

    @Test
    void f32IsRawLittleEndianBitsBothWays() {
        float[] x = inputs();
        byte[] q = quantize(GgmlType.F32, x);
        ByteBuffer bb = ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(x[i]), bb.getInt(4 * i), "byte image of element " + i);
        }
        LegacyGoldenTest.assertBits(x, dequantize(GgmlType.F32, q, x.length), "f32 round trip");
    }

    // ------------------------------------------------------------------------------------------------ F16

    @Test
    void f16EdgeCases() {
        float[] x = {0.0f, -0.0f, 1.0f, Float.NaN, Float.intBitsToFloat(0xFFC00000), Float.intBitsToFloat(0xFFC00001),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 0x1p-24f,
                0x1p-25f, 65504f, 65520f, -65520f};
        int[] expected = {0x0000, 0x8000, 0x3C00, 0x7E00, 0xFE00, 0xFE00, 0x7C00, 0xFC00, 0x0000, 0x8000, 0x0001,
                0x0000, 0x7BFF, 0x7C00, 0xFC00};
        byte[] q = quantize(GgmlType.F16, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], u16(q, i), "fp16 of " + Integer.toHexString(Float.floatToRawIntBits(x[i])));
        }
        float[] back = dequantize(GgmlType.F16, q, x.length);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back[1]));
        assertEquals(0x1p-24f, back[10]);
        assertEquals(65504f, back[12]);
        assertEquals(Float.POSITIVE_INFINITY, back[13]);
    }

    @Test
    void f16EveryNonNanHalfRoundTripsExactly() {
        float[] x = new float[65536];
        for (int h = 0; h < 65536; h++) x[h] = Float.float16ToFloat((short) h);
        byte[] q = quantize(GgmlType.F16, x);
        float[] back = dequantize(GgmlType.F16, q, x.length);
        int nans = 0;
        for (int h = 0; h < 65536; h++) {
            boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
            if (nan) {
                nans++;
                assertEquals((h & 0x8000) | 0x7E00, u16(q, h), "NaN keeps its sign and becomes 0x7E00");
                assertTrue(Float.isNaN(back[h]));
            } else {
                assertEquals(h, u16(q, h), "fp16 pattern " + Integer.toHexString(h));
                assertEquals(Float.floatToRawIntBits(x[h]), Float.floatToRawIntBits(back[h]));
            }
        }
        assertEquals(2 * 1023, nans);
    }

    @Test
    void f16RoundTripOfInputsIsNearest() {
        float[] x = inputs();
        float[] back = dequantize(GgmlType.F16, quantize(GgmlType.F16, x), x.length);
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(back[i]));
                continue;
            }
            if (Math.abs(v) >= 65520f) {
                assertEquals(Math.copySign(Float.POSITIVE_INFINITY, v), back[i]);
                continue;
            }
            // error at most half an fp16 ulp (2^-25 absolute in the subnormal range)
            double ulp = Math.max(Math.ulp(Float.float16ToFloat(Float.floatToFloat16(v))) * 8192.0, 0x1p-24);
            assertTrue(Math.abs((double) back[i] - v) <= ulp / 2, "element " + i + ": " + v + " -> " + back[i]);
            assertEquals(Math.copySign(1f, v), Math.copySign(1f, back[i]), "sign of element " + i);
        }
    }

    // ------------------------------------------------------------------------------------------------ BF16

    @Test
    void bf16EdgeCasesDerivedByHand() {
        int[][] cases = {
                {0x00000000, 0x0000}, {0x80000000, 0x8000}, {0x3F800000, 0x3F80},
                {0x3F808000, 0x3F80}, // tie, even stays
                {0x3F818000, 0x3F82}, // tie, odd rounds up
                {0x3F808001, 0x3F81}, // above the tie
                {0x00000001, 0x0000}, // smallest subnormal rounds to +0 (not flushed: rounding does it)
                {0x00018000, 0x0002}, // subnormal tie to even, upwards: subnormals are rounded, not flushed
                {0x007FFFFF, 0x0080}, // largest subnormal rounds up to the smallest normal
                {0x80010000, 0x8001}, // negative subnormal kept
                {0x7F800000, 0x7F80}, {0xFF800000, 0xFF80}, // infinities
                {0x7F7FFFFF, 0x7F80}, // FLT_MAX overflows to infinity
                {0x7F7F7FFF, 0x7F7F}, // just below the tie stays finite
                {0x7FC00000, 0x7FC0}, // quiet NaN
                {0x7F800001, 0x7FC0}, // signalling NaN with payload only in the low half: quiet bit set
                {0xFF810000, 0xFFC1}, // negative signalling NaN keeps sign and upper payload
                {0x7FFFFFFF, 0x7FFF}};
        float[] x = new float[cases.length];
        for (int i = 0; i < cases.length; i++) x[i] = Float.intBitsToFloat(cases[i][0]);
        byte[] q = quantize(GgmlType.BF16, x);
        for (int i = 0; i < cases.length; i++) {
            assertEquals(cases[i][1], u16(q, i), "bf16 of " + Integer.toHexString(cases[i][0]));
        }
        float[] back = dequantize(GgmlType.BF16, q, x.length);
        for (int i = 0; i < cases.length; i++) {
            assertEquals(cases[i][1] << 16, Float.floatToRawIntBits(back[i]), "bf16 -> fp32 is exact");
        }
    }

    @Test
    void bf16EveryNonNanPatternRoundTripsExactly() {
        float[] x = new float[65536];
        for (int b = 0; b < 65536; b++) x[b] = Float.intBitsToFloat(b << 16);
        byte[] q = quantize(GgmlType.BF16, x);
        for (int b = 0; b < 65536; b++) {
            boolean nan = (b & 0x7F80) == 0x7F80 && (b & 0x7F) != 0;
            assertEquals(nan ? b | 0x40 : b, u16(q, b), "bf16 pattern " + Integer.toHexString(b));
        }
    }

    /** Checks round-to-nearest-even by comparing with both bf16 neighbours, independently of the bit trick. */
    @Test
    void bf16IsNearestEvenOnInputsAndRandomBits() {
        float[] in = inputs();
        SplitMix64 g = new SplitMix64(42);
        float[] x = new float[in.length + 200_000];
        System.arraycopy(in, 0, x, 0, in.length);
        for (int i = in.length; i < x.length; i++) x[i] = Float.intBitsToFloat((int) g.next());
        byte[] q = quantize(GgmlType.BF16, x);
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            int got = u16(q, i);
            if (Float.isNaN(v)) {
                assertEquals((Float.floatToRawIntBits(v) >>> 16) | 0x40, got, "NaN");
                continue;
            }
            int bits = Float.floatToRawIntBits(v);
            int lo = bits >>> 16; // truncation toward zero
            int hi = lo + 1; // next bf16 away from zero (may be infinity)
            double dLo = Math.abs((double) Float.intBitsToFloat(lo << 16) - v);
            double dHi = Math.abs((double) Float.intBitsToFloat(hi << 16) - v);
            int want = (bits & 0xFFFF) == 0 ? lo
                    : dLo < dHi ? lo : dHi < dLo ? hi : ((lo & 1) == 0 ? lo : hi);
            if ((lo & 0x7FFF) == 0x7F7F && (bits & 0xFFFF) >= 0x8000) {
                want = hi; // at or past half an ulp above the largest finite bf16: infinity (IEEE overflow)
            }
            assertEquals(want, got, () -> "bf16 of " + Integer.toHexString(bits));
        }
    }

    // ------------------------------------------------------------------------------------------------ dots

    private static float dot(GgmlType t, float[] w, float[] a) {
        byte[] qw = quantize(t, w);
        byte[] qa = quantize(QuantTypes.of(t).vecDotType(), a);
        return QuantTypes.of(t).vecDot().dot(MemorySegment.ofArray(qw), 0, MemorySegment.ofArray(qa), 0, w.length);
    }

    /**
     * ggml's scalar float dots round each product to float and sum in index order in double: {@code 2^24 + 1} is
     * kept (a float accumulator would lose the 1), but {@code 2^60 + 1} is not (an exact or compensated sum would
     * keep it), and the order matters.
     */
    @Test
    void floatDotsAccumulateInDoubleInIndexOrder() {
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16}) {
            assertEquals(1.0f, dot(t, new float[] {4096f, 1f, -4096f}, new float[] {4096f, 1f, 4096f}), t + " 2^24");
        }
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.BF16}) {
            assertEquals(0.0f, dot(t, new float[] {0x1p30f, 1f, -0x1p30f}, new float[] {0x1p30f, 1f, 0x1p30f}), t.name());
            assertEquals(1.0f, dot(t, new float[] {0x1p30f, -0x1p30f, 1f}, new float[] {0x1p30f, 0x1p30f, 1f}), t.name());
        }
        // F16: 65504^2 + 2^-48 loses the small product in double; the products are rounded to float first
        assertEquals(0.0f, dot(GgmlType.F16, new float[] {65504f, 0x1p-24f, -65504f},
                new float[] {65504f, 0x1p-24f, 65504f}));
        // products are rounded to float before the double sum: (1+2^-12)^2 = 1 + 2^-11 + 2^-24 -> 1 + 2^-11
        float a = 1f + 0x1p-12f;
        assertEquals(Float.floatToRawIntBits(1f + 0x1p-11f), Float.floatToRawIntBits(
                dot(GgmlType.F32, new float[] {a, 1f, -1f}, new float[] {a, 0x1p-24f, 0x1p-24f})));
    }

    @Test
    void floatDotOfGoldenRowsMatchesDoubleSumOfFloatProducts() {
        float[] w = GoldenRows.input();
        float[] act = GoldenRows.act();
        for (GoldenRows.Row r : GoldenRows.rows()) {
            float[] x = GoldenRows.slice(w, r);
            float[] y = GoldenRows.slice(act, r);
            double s = 0;
            for (int i = 0; i < x.length; i++) s += (double) (x[i] * y[i]);
            assertEquals(Float.floatToRawIntBits((float) s), Float.floatToRawIntBits(dot(GgmlType.F32, x, y)),
                    "f32 row " + r.name());
            double sh = 0, sb = 0;
            for (int i = 0; i < x.length; i++) {
                sh += (double) (Half.round(x[i]) * Half.round(y[i]));
                sb += (double) (BFloat16.round(x[i]) * BFloat16.round(y[i]));
            }
            assertEquals(Float.floatToRawIntBits((float) sh), Float.floatToRawIntBits(dot(GgmlType.F16, x, y)),
                    "f16 row " + r.name());
            assertEquals(Float.floatToRawIntBits((float) sb), Float.floatToRawIntBits(dot(GgmlType.BF16, x, y)),
                    "bf16 row " + r.name());
        }
    }
}
