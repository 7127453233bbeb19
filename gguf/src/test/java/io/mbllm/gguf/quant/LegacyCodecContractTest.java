package io.mbllm.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;

/**
 * The float and legacy entries of the {@link QuantTypes} table: activation types, importance flags, typed
 * errors on bad arguments, robustness on non-finite input, and behaviours the golden rows pin only indirectly.
 */
class LegacyCodecContractTest {
    /** Our types and the activation format of their dot product ({@code shared/docs/quantization.md} §5). */
    private static final Map<GgmlType, GgmlType> VEC_DOT_TYPE = Map.of(
            GgmlType.F32, GgmlType.F32, GgmlType.F16, GgmlType.F16, GgmlType.BF16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q8_1,
            GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q5_0, GgmlType.Q8_0, GgmlType.IQ4_NL, GgmlType.Q8_0,
            GgmlType.Q4_1, GgmlType.Q8_1, GgmlType.Q5_1, GgmlType.Q8_1);

    @Test
    void tableHasOurTypesWithTheirActivationTypes() {
        VEC_DOT_TYPE.forEach((t, act) -> {
            QuantTypes.Traits tr = QuantTypes.of(t);
            assertSame(t, tr.type());
            assertSame(t, tr.codec().type());
            assertSame(act, tr.vecDotType(), t + " activation type");
            boolean imat = t == GgmlType.Q4_0 || t == GgmlType.Q4_1 || t == GgmlType.Q5_0 || t == GgmlType.Q5_1
                    || t == GgmlType.IQ4_NL;
            assertEquals(imat, tr.codec().usesImportance(), t + " usesImportance");
            assertFalse(tr.codec().requiresImportance());
        });
    }

    @Test
    void q8_1HasNoDotOfItsOwn() {
        MemorySegment s = MemorySegment.ofArray(new byte[36]);
        assertThrows(UnsupportedOperationException.class, () -> QuantTypes.of(GgmlType.Q8_1).vecDot().dot(s, 0, s, 0, 32));
    }

    static Stream<GgmlType> ourTypes() {
        return VEC_DOT_TYPE.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("ourTypes")
    void badArgumentsGetTypedErrors(GgmlType t) {
        QuantCodec c = QuantTypes.codec(t);
        int qk = t.blockSize();
        int n = 64;
        int rowBytes = (int) t.rowBytes(n);
        float[] x = new float[n];
        byte[] dst = new byte[rowBytes];
        if (qk > 1) {
            assertThrows(IllegalArgumentException.class, () -> c.quantizeRow(x, 0, null, 0, n - 1, dst, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> c.dequantizeRow(MemorySegment.ofArray(dst), 0, new float[n], 0, n - 1));
        }
        assertThrows(IllegalArgumentException.class, () -> c.quantizeRow(x, 0, null, 0, -qk, dst, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.quantizeRow(x, 0, null, 0, n, new byte[rowBytes - 1], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.quantizeRow(x, 1, null, 0, n, dst, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.quantizeRow(x, 0, new float[n - 1], 0, n, dst, 0));
        assertThrows(NullPointerException.class, () -> c.quantizeRow(null, 0, null, 0, n, dst, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> c.dequantizeRow(MemorySegment.ofArray(new byte[rowBytes - 1]), 0, new float[n], 0, n));
        assertThrows(IndexOutOfBoundsException.class,
                () -> c.dequantizeRow(MemorySegment.ofArray(dst), 1, new float[n], 0, n));
        assertThrows(IndexOutOfBoundsException.class,
                () -> c.dequantizeRow(MemorySegment.ofArray(dst), 0, new float[n - 1], 0, n));
        if (t != GgmlType.Q8_1) {
            VecDot dot = QuantTypes.of(t).vecDot();
            GgmlType act = QuantTypes.of(t).vecDotType();
            MemorySegment w = MemorySegment.ofArray(dst);
            MemorySegment a = MemorySegment.ofArray(new byte[(int) act.rowBytes(n)]);
            assertThrows(IndexOutOfBoundsException.class, () -> dot.dot(w, 0, a, 1, n));
            assertThrows(IndexOutOfBoundsException.class, () -> dot.dot(w, 1, a, 0, n));
            if (qk > 1) assertThrows(IllegalArgumentException.class, () -> dot.dot(w, 0, a, 0, n - 1));
            assertEquals(0.0f, dot.dot(w, 0, a, 0, 0), "empty row");
        }
    }

    /** ggml does not validate the floats it quantizes; neither may we crash or hang on them. */
    @ParameterizedTest
    @MethodSource("ourTypes")
    void nonFiniteInputQuantizesWithoutError(GgmlType t) {
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) x[i] = (i % 3) - 1;
        x[3] = Float.NaN;
        x[40] = Float.POSITIVE_INFINITY;
        x[41] = Float.NEGATIVE_INFINITY;
        float[] imp = new float[64];
        java.util.Arrays.fill(imp, 1f);
        byte[] q = new byte[(int) t.rowBytes(64)];
        QuantCodec c = QuantTypes.codec(t);
        assertDoesNotThrow(() -> c.quantizeRow(x, 0, null, 0, 64, q, 0));
        assertDoesNotThrow(() -> c.quantizeRow(x, 0, imp, 0, 64, q, 0));
        assertDoesNotThrow(() -> c.dequantizeRow(MemorySegment.ofArray(q), 0, new float[64], 0, 64));
    }

    /** §10.3: an all-zero Q4_0/Q5_0 block stores d = -0.0 (0x8000) and the middle code. */
    @Test
    void allZeroBlocksStoreNegativeZeroScaleAndMiddleCodes() {
        float[] zeros = new float[32];
        byte[] q4 = new byte[18];
        QuantTypes.codec(GgmlType.Q4_0).quantizeRow(zeros, 0, null, 0, 32, q4, 0);
        byte[] want4 = new byte[18];
        want4[1] = (byte) 0x80;
        for (int i = 2; i < 18; i++) want4[i] = (byte) 0x88;
        assertArrayEquals(want4, q4);

        byte[] q5 = new byte[22];
        QuantTypes.codec(GgmlType.Q5_0).quantizeRow(zeros, 0, null, 0, 32, q5, 0);
        byte[] want5 = new byte[22];
        want5[1] = (byte) 0x80;
        for (int i = 2; i < 6; i++) want5[i] = (byte) 0xFF; // bit 4 of every code (16) set
        assertArrayEquals(want5, q5);

        byte[] nl = new byte[18];
        QuantTypes.codec(GgmlType.IQ4_NL).quantizeRow(zeros, 0, null, 0, 32, nl, 0);
        byte[] wantNl = new byte[18];
        for (int i = 2; i < 18; i++) wantNl[i] = (byte) 0x88;
        assertArrayEquals(wantNl, nl);
    }

    /** §4.12: IQ4_NL picks the nearest table value, ties to the upper one, clamped at both ends. */
    @Test
    void iq4NlBestIndexTiesGoUp() {
        assertEquals(0, IQ4_NLCodec.bestIndex(-1000f));
        assertEquals(0, IQ4_NLCodec.bestIndex(-127f));
        assertEquals(15, IQ4_NLCodec.bestIndex(113f));
        assertEquals(15, IQ4_NLCodec.bestIndex(1e9f));
        assertEquals(9, IQ4_NLCodec.bestIndex(7f)); // halfway between 1 (index 8) and 13 (index 9)
        assertEquals(8, IQ4_NLCodec.bestIndex(6.99f));
        assertEquals(1, IQ4_NLCodec.bestIndex(-115.5f)); // halfway between -127 and -104
        assertEquals(0, IQ4_NLCodec.bestIndex(-115.51f));
        assertEquals(8, IQ4_NLCodec.bestIndex(0f));
        assertEquals(7, IQ4_NLCodec.bestIndex(-4.51f));
        assertEquals(8, IQ4_NLCodec.bestIndex(-4.5f)); // halfway between -10 and 1
    }

    /** The table lookup of bestIndex against ggml's bisection, near every integer and half-integer and at random. */
    @Test
    void iq4NlBestIndexEqualsTheBisection() {
        int[] values = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
        java.util.List<Float> probes = new java.util.ArrayList<>(List.of(Float.NaN, Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY, -0.0f, 0.0f));
        for (int k = -260; k <= 230; k++) {
            float v = k * 0.5f;
            probes.add(v);
            probes.add(Math.nextUp(v));
            probes.add(Math.nextDown(v));
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) probes.add((float) (r.nextDouble() * 260 - 135));
        for (float v : probes) {
            int expected;
            if (v <= values[0]) {
                expected = 0;
            } else if (v >= values[15]) {
                expected = 15;
            } else {
                int ml = 0, mu = 15;
                while (mu - ml > 1) {
                    int mav = (ml + mu) / 2;
                    if (v < values[mav]) mu = mav;
                    else ml = mav;
                }
                expected = v - (float) values[mu - 1] < (float) values[mu] - v ? mu - 1 : mu;
            }
            assertEquals(expected, IQ4_NLCodec.bestIndex(v), "best_index_int8(" + v + ")");
        }
    }

    /** §1.2: C roundf rounds halves away from zero, nearest_int to even. */
    @Test
    void roundingFunctions() {
        assertEquals(3, Rounding.roundAway(2.5f));
        assertEquals(-3, Rounding.roundAway(-2.5f));
        assertEquals(0, Rounding.roundAway(0.49999997f));
        assertEquals(1, Rounding.roundAway(0.5f));
        assertEquals(2, Rounding.nearestInt(2.5f));
        assertEquals(-2, Rounding.nearestInt(-2.5f));
        assertEquals(4, Rounding.nearestInt(3.5f));
        assertEquals(15, Rounding.truncInt8(15.99f));
        assertEquals(0, Rounding.truncInt8(-0.7f));
        assertTrue(Rounding.truncInt8(-1.5f) == -1);
    }
}
