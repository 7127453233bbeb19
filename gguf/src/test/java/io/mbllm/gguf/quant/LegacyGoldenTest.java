package io.mbllm.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.GoldenRows.Row;
import io.mbllm.gguf.quant.GoldenRows.Size;

/**
 * The float-and-legacy block types against the golden vectors of ggml ({@code shared/testdata/quant}): quantized
 * bytes, dequantized floats and scalar dot products, bit for bit, for every type × variant × row; plus the Q8_0 /
 * Q8_1 activation quantizers and the generator that reproduces the inputs.
 */
class LegacyGoldenTest {

    /** A golden type this engineer owns, with its file prefix, variants and dot-product activation file. */
    record Case(String prefix, GgmlType type, boolean hasImatrix) {
        GgmlType actType() { return QuantTypes.of(type).vecDotType(); }
    }

    static final List<Case> CASES = List.of(
            new Case("q8_0", GgmlType.Q8_0, false),
            new Case("q4_0", GgmlType.Q4_0, true),
            new Case("q4_1", GgmlType.Q4_1, true),
            new Case("q5_0", GgmlType.Q5_0, true),
            new Case("q5_1", GgmlType.Q5_1, true),
            new Case("iq4_nl", GgmlType.IQ4_NL, true));

    static Stream<Arguments> typeVariantRow() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : CASES) {
            for (String variant : c.hasImatrix() ? List.of("ref", "imat") : List.of("ref")) {
                for (Row r : GoldenRows.rows()) out.add(Arguments.of(c.prefix(), variant, r.id(), r.name()));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> activationRow() {
        List<Arguments> out = new ArrayList<>();
        for (String act : List.of("q8_0", "q8_1")) {
            for (Row r : GoldenRows.rows()) out.add(Arguments.of(act, r.id(), r.name()));
        }
        return out.stream();
    }

    private static Case caseOf(String prefix) {
        return CASES.stream().filter(c -> c.prefix().equals(prefix)).findFirst().orElseThrow();
    }

    private static Row row(int id) { return GoldenRows.rows().get(id); }

    private static byte[] goldenRowBytes(String prefix, String variant, Row r) {
        Size s = GoldenRows.size(prefix, r.id());
        assertEquals(r.n(), s.n(), "sizes.tsv row length");
        GgmlType t = caseOf(prefix).type();
        assertEquals(t.id(), s.ggmlTypeId(), "sizes.tsv type id");
        assertEquals(t.rowBytes(r.n()), s.rowBytes(), "sizes.tsv row bytes");
        byte[] all = GoldenRows.bytes(prefix + "." + variant + ".q.bin");
        return Arrays.copyOfRange(all, s.byteOffset(), s.byteOffset() + s.rowBytes());
    }

    // ------------------------------------------------------------------------------------------------ inputs

    @Test
    void generatorReproducesGoldenInputsBitForBit() {
        assertEquals(GoldenRows.rowsTsv(), GoldenRows.rows(), "row table vs rows.tsv");
        assertBits(GoldenRows.floats("input.f32"), GoldenRows.input(), "input.f32");
        assertBits(GoldenRows.floats("imatrix.f32"), GoldenRows.imatrix(), "imatrix.f32");
        assertBits(GoldenRows.floats("act.f32"), GoldenRows.act(), "act.f32");
        // the README's quick-check values, independent of the files
        assertEquals(0xbf07c28c, Float.floatToRawIntBits(GoldenRows.input()[0]));
        assertEquals(0xbc702adc, Float.floatToRawIntBits(GoldenRows.input()[1024]));
        assertEquals(0x3df8f2fe, Float.floatToRawIntBits(GoldenRows.imatrix()[0]));
        assertEquals(0x3cf436c0, Float.floatToRawIntBits(GoldenRows.act()[0]));
    }

    // ------------------------------------------------------------------------------------------------ quantize

    @ParameterizedTest(name = "{0}.{1} row {2} {3}")
    @MethodSource("typeVariantRow")
    void quantizedBytesEqualGolden(String prefix, String variant, int rowId, String rowName) {
        Row r = row(rowId);
        Case c = caseOf(prefix);
        float[] input = GoldenRows.input();
        float[] imatrix = variant.equals("imat") ? GoldenRows.imatrix() : null;
        byte[] expected = goldenRowBytes(prefix, variant, r);
        // write at an offset inside a larger buffer to exercise srcOff/dstOff
        byte[] out = new byte[expected.length + 7];
        Arrays.fill(out, (byte) 0x5A);
        QuantTypes.codec(c.type()).quantizeRow(input, r.offset(), imatrix, r.offset(), r.n(), out, 3);
        assertBytes(expected, Arrays.copyOfRange(out, 3, 3 + expected.length), prefix + "." + variant + " " + rowName);
        assertEquals((byte) 0x5A, out[2], "wrote before dstOff");
        assertEquals((byte) 0x5A, out[3 + expected.length], "wrote past the row");
    }

    @ParameterizedTest(name = "q8_0 with imatrix row {0} {1}")
    @MethodSource("io.mbllm.gguf.quant.LegacyGoldenTest#rowIds")
    void q8_0IgnoresImportance(int rowId, String rowName) {
        Row r = row(rowId);
        byte[] expected = goldenRowBytes("q8_0", "ref", r);
        byte[] out = new byte[expected.length];
        QuantTypes.codec(GgmlType.Q8_0).quantizeRow(GoldenRows.input(), r.offset(), GoldenRows.imatrix(), r.offset(),
                r.n(), out, 0);
        assertBytes(expected, out, "q8_0 with imatrix " + rowName);
    }

    static Stream<Arguments> rowIds() {
        return GoldenRows.rows().stream().map(r -> Arguments.of(r.id(), r.name()));
    }

    // ------------------------------------------------------------------------------------------------ dequantize

    @ParameterizedTest(name = "{0}.{1} row {2} {3}")
    @MethodSource("typeVariantRow")
    void dequantizedGoldenBytesEqualGoldenFloats(String prefix, String variant, int rowId, String rowName) {
        Row r = row(rowId);
        byte[] q = goldenRowBytes(prefix, variant, r);
        float[] expected = GoldenRows.slice(GoldenRows.floats(prefix + "." + variant + ".deq.f32"), r);
        // read from a segment at a non-zero, unaligned offset
        byte[] padded = new byte[q.length + 5];
        System.arraycopy(q, 0, padded, 5, q.length);
        float[] out = new float[r.n() + 2];
        Arrays.fill(out, Float.NaN);
        QuantTypes.codec(caseOf(prefix).type()).dequantizeRow(MemorySegment.ofArray(padded), 5, out, 1, r.n());
        assertBits(expected, Arrays.copyOfRange(out, 1, 1 + r.n()), prefix + "." + variant + " " + rowName);
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(out[0]), "wrote before dstOff");
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(out[r.n() + 1]), "wrote past n");
    }

    // ------------------------------------------------------------------------------------------------ dot

    @ParameterizedTest(name = "{0}.{1} row {2} {3}")
    @MethodSource("typeVariantRow")
    void dotOfGoldenRowsEqualsGoldenBits(String prefix, String variant, int rowId, String rowName) {
        Row r = row(rowId);
        Case c = caseOf(prefix);
        GgmlType act = c.actType();
        byte[] w = goldenRowBytes(prefix, variant, r);
        byte[] actAll = GoldenRows.bytes("act." + act.ggmlName() + ".bin");
        int aOff = GoldenRows.actOffset(r, act.typeSize());
        float got = QuantTypes.of(c.type()).vecDot().dot(MemorySegment.ofArray(w), 0,
                MemorySegment.ofArray(actAll), aOff, r.n());
        int expected = GoldenRows.dot(prefix, variant, rowId).resultBits();
        assertEquals(hex(expected), hex(Float.floatToRawIntBits(got)),
                () -> prefix + "." + variant + " " + rowName + ": expected " + Float.intBitsToFloat(expected)
                        + " got " + got);
    }

    @Test
    void everyGoldenDotOfOurTypesIsCovered() {
        List<String> ours = CASES.stream().map(Case::prefix).toList();
        long inFile = GoldenRows.dots().stream().filter(d -> ours.contains(d.type())).count();
        assertEquals(typeVariantRow().count(), inFile, "dot.tsv entries for our types vs the parameterized cases");
        assertEquals(176, inFile);
    }

    // ------------------------------------------------------------------------------------------------ activations

    @ParameterizedTest(name = "act.{0} row {1} {2}")
    @MethodSource("activationRow")
    void activationQuantizerEqualsGolden(String act, int rowId, String rowName) {
        Row r = row(rowId);
        GgmlType t = GgmlType.byName(act);
        int rowBytes = (int) t.rowBytes(r.n());
        int off = GoldenRows.actOffset(r, t.typeSize());
        byte[] expected = Arrays.copyOfRange(GoldenRows.bytes("act." + act + ".bin"), off, off + rowBytes);
        byte[] out = new byte[rowBytes];
        QuantTypes.codec(t).quantizeRow(GoldenRows.act(), r.offset(), null, 0, r.n(), out, 0);
        assertBytes(expected, out, "act." + act + " " + rowName);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static String hex(int bits) { return String.format("0x%08x", bits); }

    static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            if (e != a) {
                throw new AssertionError(what + ": float " + i + " expected " + hex(e) + " (" + expected[i]
                        + ") got " + hex(a) + " (" + actual[i] + ")");
            }
        }
    }

    static void assertBytes(byte[] expected, byte[] actual, String what) {
        if (!Arrays.equals(expected, actual)) {
            int i = Arrays.mismatch(expected, actual);
            int from = Math.max(0, i - 4);
            throw new AssertionError(what + ": first difference at byte " + i + "; expected "
                    + HexFormat.of().formatHex(expected, from, Math.min(expected.length, i + 12)) + " got "
                    + HexFormat.of().formatHex(actual, from, Math.min(actual.length, i + 12)));
        }
        assertArrayEquals(expected, actual);
    }
}
