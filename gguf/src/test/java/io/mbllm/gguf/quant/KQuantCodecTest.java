package io.mbllm.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mbllm.gguf.GgmlType;

/** Registration, argument checking and hostile inputs of the K-quant codecs (no shared data needed). */
class KQuantCodecTest {
    private static final List<GgmlType> WEIGHT_TYPES =
            List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    @Test
    void allKTypesAreRegisteredWithQ8KActivations() {
        for (GgmlType t : WEIGHT_TYPES) {
            QuantTypes.Traits tr = QuantTypes.of(t);
            assertEquals(t, tr.codec().type());
            assertEquals(GgmlType.Q8_K, tr.vecDotType());
            assertNotNull(tr.vecDot(), t + " dot");
            assertTrue(tr.codec().usesImportance(), t + " uses an imatrix");
            assertFalse(tr.codec().requiresImportance());
        }
        QuantTypes.Traits q8k = QuantTypes.of(GgmlType.Q8_K);
        assertEquals(GgmlType.Q8_K, q8k.codec().type());
        assertNull(q8k.vecDot(), "Q8_K has no dot product of its own");
        assertFalse(q8k.codec().usesImportance());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void rejectsBadArgumentsWithTypedErrors(GgmlType t) {
        QuantCodec c = QuantTypes.codec(t);
        float[] x = new float[512];
        byte[] dst = new byte[2 * t.typeSize()];
        assertThrows(IllegalArgumentException.class, () -> c.quantizeRow(x, 0, null, 0, 100, dst, 0));
        assertThrows(IllegalArgumentException.class, () -> c.quantizeRow(x, 0, null, 0, -256, dst, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.quantizeRow(x, 1, null, 0, 512, dst, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.quantizeRow(x, 0, null, 0, 512, dst, 1));
        if (c.usesImportance()) {
            assertThrows(IndexOutOfBoundsException.class, () -> c.quantizeRow(x, 0, new float[511], 0, 512, dst, 0));
        } else {
            c.quantizeRow(x, 0, new float[1], 0, 512, dst, 0); // ignored
        }
        assertThrows(NullPointerException.class, () -> c.quantizeRow(null, 0, null, 0, 256, dst, 0));
        MemorySegment seg = MemorySegment.ofArray(dst);
        float[] out = new float[512];
        assertThrows(IllegalArgumentException.class, () -> c.dequantizeRow(seg, 0, out, 0, 300));
        assertThrows(IndexOutOfBoundsException.class, () -> c.dequantizeRow(seg, 1, out, 0, 512));
        assertThrows(IndexOutOfBoundsException.class, () -> c.dequantizeRow(seg, 0, out, 1, 512));
        VecDot dot = QuantTypes.of(t).vecDot();
        if (dot != null) {
            MemorySegment act = MemorySegment.ofArray(new byte[2 * GgmlType.Q8_K.typeSize()]);
            assertThrows(IllegalArgumentException.class, () -> dot.dot(seg, 0, act, 0, 257));
            assertThrows(IndexOutOfBoundsException.class, () -> dot.dot(seg, 0, act, 0, 768));
            assertEquals(0f, dot.dot(seg, 0, act, 0, 512), "zero blocks dot to 0");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void nonFiniteInputTerminatesAndFillsTheRow(GgmlType t) {
        QuantCodec c = QuantTypes.codec(t);
        float[] x = new float[1024];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i) * 0.1f;
        x[3] = Float.NaN;
        x[300] = Float.POSITIVE_INFINITY;
        x[600] = Float.NEGATIVE_INFINITY;
        x[900] = Float.MAX_VALUE;
        x[901] = -Float.MAX_VALUE;
        float[] w = new float[1024];
        Arrays.fill(w, 1f);
        w[5] = Float.NaN;
        byte[] dst = new byte[4 * t.typeSize()];
        c.quantizeRow(x, 0, null, 0, 1024, dst, 0);
        c.quantizeRow(x, 0, w, 0, 1024, dst, 0);
        float[] back = new float[1024];
        c.dequantizeRow(MemorySegment.ofArray(dst), 0, back, 0, 1024);
    }

    @Test
    void nearestIntIsRoundHalfEvenInItsRange() {
        float[] probes = {0f, -0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 126.5f, -127.5f,
                4194303f, -4194303f, 3.7f, -3.7f, 1e-30f};
        for (float v : probes) assertEquals((int) Math.rint(v), Rounding.nearestInt(v), "nearest_int(" + v + ")");
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) ((r.nextDouble() * 2 - 1) * 4194303);
            assertEquals((int) Math.rint(v), Rounding.nearestInt(v));
        }
    }

    @Test
    void qkxSearchRejectsGroupsLongerThanItsScratch() {
        float[] x = new float[64];
        float[] w = new float[64];
        byte[] L = new byte[64];
        float[] min = new float[1];
        SearchScratch sc = new SearchScratch();
        assertThrows(IllegalArgumentException.class, () -> ScaleSearch.makeQkx2Quants(SearchScratch.MAX_N + 1, 15, x, 0,
                w, 0, L, 0, min, 0, sc, -1f, 0.1f, 20, false));
        assertThrows(IllegalArgumentException.class, () -> ScaleSearch.makeQkx3Quants(0, 15, x, 0, w, 0, L, 0, min, 0,
                sc, -0.9f, 0.05f, 36, false));
    }

    @Test
    void q8KAllZeroBlockHasZeroScaleCodesAndBsums() {
        QuantCodec c = QuantTypes.codec(GgmlType.Q8_K);
        byte[] dst = new byte[292];
        Arrays.fill(dst, (byte) 0x77);
        c.quantizeRow(new float[256], 0, null, 0, 256, dst, 0);
        assertTrue(isZero(dst), "all 292 bytes zero");
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) x[i] = i % 3 - 1;
        c.quantizeRow(x, 0, null, 0, 256, dst, 0);
        MemorySegment s = MemorySegment.ofArray(dst);
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += dst[4 + 16 * g + i];
            assertEquals(sum, s.get(LittleEndian.LE_SHORT, 260 + 2L * g), "bsum " + g);
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte v : b) if (v != 0) return false;
        return true;
    }
}
