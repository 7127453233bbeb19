package io.mbllm.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;

/**
 * The K-quants against the golden vectors produced by ggml ({@code shared/testdata/quant}): quantized bytes,
 * dequantized floats and scalar dot products, bit for bit, for every type × variant × row.
 */
class KQuantGoldenTest {
    private static final List<GgmlType> WEIGHT_TYPES =
            List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
    private static final List<String> VARIANTS = List.of("ref", "imat");

    private static GoldenRows.Size size(GgmlType t, int row) {
        GoldenRows.Size s = GoldenRows.size(t.ggmlName(), row);
        assertEquals(t.id(), s.ggmlTypeId(), "sizes.tsv type id");
        assertEquals(GoldenRows.rows().get(row).n(), s.n(), "sizes.tsv n");
        assertEquals(t.rowBytes(s.n()), s.rowBytes(), "sizes.tsv row bytes");
        return s;
    }

    static Stream<Arguments> weightCases() {
        return WEIGHT_TYPES.stream().flatMap(t -> VARIANTS.stream().flatMap(v ->
                GoldenRows.rows().stream().map(r -> Arguments.of(t, v, r.id(), r.name()))));
    }

    static Stream<Arguments> allDequantCases() {
        return Stream.concat(weightCases(),
                GoldenRows.rows().stream().map(r -> Arguments.of(GgmlType.Q8_K, "ref", r.id(), r.name())));
    }

    static Stream<Arguments> rowCases() {
        return GoldenRows.rows().stream().map(r -> Arguments.of(r.id(), r.name()));
    }

    // ---- inputs ----

    @Test
    void generatorReproducesInputFilesBitForBit() {
        assertEquals(GoldenRows.rows(), GoldenRows.rowsTsv(), "rows.tsv");
        assertBits(GoldenRows.floats("input.f32"), GoldenRows.input(), "input.f32");
        assertBits(GoldenRows.floats("imatrix.f32"), GoldenRows.imatrix(), "imatrix.f32");
        assertBits(GoldenRows.floats("act.f32"), GoldenRows.act(), "act.f32");
        // README quick-check values
        assertEquals(0xbf07c28c, Float.floatToRawIntBits(GoldenRows.input()[0]));
        assertEquals(0x3cf436c0, Float.floatToRawIntBits(GoldenRows.act()[0]));
    }

    // ---- weight types ----

    @ParameterizedTest(name = "{0} {1} row {2} ({3})")
    @MethodSource("weightCases")
    void quantizeMatchesGgml(GgmlType type, String variant, int row, String name) {
        GoldenRows.Row r = GoldenRows.rows().get(row);
        GoldenRows.Size s = size(type, row);
        float[] input = GoldenRows.floats("input.f32");
        float[] imatrix = variant.equals("imat") ? GoldenRows.floats("imatrix.f32") : null;
        byte[] golden = Arrays.copyOfRange(GoldenRows.bytes(type.ggmlName() + "." + variant + ".q.bin"),
                s.byteOffset(), s.byteOffset() + s.rowBytes());
        byte[] out = new byte[s.rowBytes()];
        Arrays.fill(out, (byte) 0x5A); // the codec must write every byte
        QuantTypes.codec(type).quantizeRow(input, r.offset(), imatrix, r.offset(), r.n(), out, 0);
        assertBlocksEqual(type, golden, out);
    }

    @ParameterizedTest(name = "{0} {1} row {2} ({3})")
    @MethodSource("allDequantCases")
    void dequantizeMatchesGgml(GgmlType type, String variant, int row, String name) {
        GoldenRows.Row r = GoldenRows.rows().get(row);
        GoldenRows.Size s = size(type, row);
        MemorySegment q = MemorySegment.ofArray(GoldenRows.bytes(type.ggmlName() + "." + variant + ".q.bin"));
        float[] expected = Arrays.copyOfRange(GoldenRows.floats(type.ggmlName() + "." + variant + ".deq.f32"),
                r.offset(), r.offset() + r.n());
        float[] out = new float[r.n() + 3];
        Arrays.fill(out, Float.NaN);
        QuantTypes.codec(type).dequantizeRow(q, s.byteOffset(), out, 1, r.n());
        assertBits(expected, Arrays.copyOfRange(out, 1, 1 + r.n()), type + " " + variant + " row " + row);
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(out[0]), "wrote before dstOff");
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(out[r.n() + 1]), "wrote past n");
    }

    @ParameterizedTest(name = "{0} {1} row {2} ({3})")
    @MethodSource("weightCases")
    void dotMatchesGgml(GgmlType type, String variant, int row, String name) {
        GoldenRows.Size ws = size(type, row);
        GoldenRows.Size as = size(GgmlType.Q8_K, row);
        GoldenRows.Dot expected = GoldenRows.dot(type.ggmlName(), variant, row);
        MemorySegment w = MemorySegment.ofArray(GoldenRows.bytes(type.ggmlName() + "." + variant + ".q.bin"));
        MemorySegment a = MemorySegment.ofArray(GoldenRows.bytes("act.q8_K.bin"));
        QuantTypes.Traits traits = QuantTypes.of(type);
        assertEquals(GgmlType.Q8_K, traits.vecDotType());
        float got = traits.vecDot().dot(w, ws.byteOffset(), a, as.byteOffset(), ws.n());
        assertEquals(String.format("0x%08x", expected.resultBits()), String.format("0x%08x", Float.floatToRawIntBits(got)),
                () -> type + " " + variant + " row " + row + ": expected " + Float.intBitsToFloat(expected.resultBits())
                        + ", got " + got);
    }

    // ---- Q8_K ----

    @ParameterizedTest(name = "act row {0} ({1})")
    @MethodSource("rowCases")
    void q8KQuantizesActivationsLikeGgml(int row, String name) {
        q8K(row, "act.f32", "act.q8_K.bin");
    }

    @ParameterizedTest(name = "input row {0} ({1})")
    @MethodSource("rowCases")
    void q8KQuantizesInputLikeGgml(int row, String name) {
        q8K(row, "input.f32", "q8_K.ref.q.bin");
    }

    private void q8K(int row, String floatsFile, String goldenFile) {
        GoldenRows.Row r = GoldenRows.rows().get(row);
        GoldenRows.Size s = size(GgmlType.Q8_K, row);
        byte[] golden = Arrays.copyOfRange(GoldenRows.bytes(goldenFile), s.byteOffset(), s.byteOffset() + s.rowBytes());
        byte[] out = new byte[s.rowBytes()];
        Arrays.fill(out, (byte) 0x5A); // all-zero blocks must still get zero bsums
        QuantTypes.codec(GgmlType.Q8_K).quantizeRow(GoldenRows.floats(floatsFile), r.offset(), null, 0, r.n(), out, 0);
        assertBlocksEqual(GgmlType.Q8_K, golden, out);
    }

    // ---- helpers ----

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            if (e != a) {
                fail(String.format("%s: element %d differs: expected %s (0x%08x), got %s (0x%08x)",
                        what, i, expected[i], e, actual[i], a));
            }
        }
    }

    private static void assertBlocksEqual(GgmlType type, byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length);
        int bs = type.typeSize();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                int b = i / bs;
                assertArrayEquals(Arrays.copyOfRange(expected, b * bs, b * bs + bs), Arrays.copyOfRange(actual, b * bs, b * bs + bs),
                        String.format("%s: block %d, first difference at byte %d of the block", type, b, i % bs));
            }
        }
    }
}
