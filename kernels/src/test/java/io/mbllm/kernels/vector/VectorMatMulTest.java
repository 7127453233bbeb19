package io.mbllm.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * {@link VectorMatMul} against {@link ReferenceMatMul} for every weight type on ragged shapes (1 row, odd row
 * counts, one block per row, several tiles, 1/2/3/7/16 tokens), on realistic (codec-quantized) and random-byte
 * weights, in heap and native segments, on one and two threads.
 *
 * <p>Tolerance: the integer part of every block is exact, only the float accumulation order differs from the
 * reference, so {@code |fast - ref| <= 1e-5 * Σ|w_e·a_e|} (plus 1e-30 absolute for all-zero rows). Any wrong
 * code, scale or sub-block mapping moves the result by the size of one term, far beyond this bound.
 */
class VectorMatMulTest {
    private static final double REL_TOL = KernelCases.REL_TOL;
    private static Parallel one, two;

    @BeforeAll
    static void pools() {
        one = new Parallel(1);
        two = new Parallel(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    static GgmlType[] types() {
        return KernelCases.TYPES;
    }

    /** Column counts for a type: one block, a few blocks, and (floats) sizes that leave vector tails. */
    private static int[] colsFor(GgmlType t) {
        if (t.blockSize() == 1) return new int[] {1, 7, 17, 64, 100, 515};
        return new int[] {t.blockSize(), 3 * t.blockSize(), t.blockSize() == 32 ? 2048 : 1024};
    }

    private static void check(GgmlType type, byte[] bytes, int rows, int cols, int tokens, boolean nativeSeg,
                              Parallel par, int tileBytes, long seed) {
        String err = KernelCases.compare(type, bytes, rows, cols, tokens, nativeSeg, one, par, tileBytes, seed);
        if (err != null) fail(err);
    }

    @ParameterizedTest
    @MethodSource("types")
    void matvecMatchesReferenceOnRaggedShapes(GgmlType type) {
        long seed = 1;
        for (int cols : colsFor(type)) {
            for (int rows : new int[] {1, 5, 37}) {
                check(type, KernelCases.quantized(type, rows, cols, seed), rows, cols, 1, false, one, 1 << 16, seed++);
                check(type, KernelCases.randomBytes(type, rows, cols, seed), rows, cols, 1, true, two, 1 << 16, seed++);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void matmulMatchesReferenceForTokenCounts(GgmlType type) {
        long seed = 100;
        int cols = type.blockSize() == 1 ? 67 : 2 * type.blockSize();
        int rows = 45;
        // tile of 4 rows: several tiles plus a ragged last one; and the default tile (one tile)
        for (int tokens : new int[] {1, 2, 3, 7, 16}) {
            int tile = 4 * (int) type.rowBytes(cols);
            check(type, KernelCases.quantized(type, rows, cols, seed), rows, cols, tokens, true, two, tile, seed++);
            check(type, KernelCases.randomBytes(type, rows, cols, seed), rows, cols, tokens, false, one, 1 << 16, seed++);
        }
    }

    @Test
    void f16WidensEveryHalfExactly() {
        byte[] all = new byte[2 * 65536];
        for (int h = 0; h < 65536; h++) {
            all[2 * h] = (byte) h;
            all[2 * h + 1] = (byte) (h >> 8);
        }
        MemorySegment seg = MemorySegment.ofArray(all);
        int lanes = Simd.FP.length();
        for (int h = 0; h < 65536; h += lanes) {
            float[] got = F16Kernel.load(seg, 2L * h).toArray();
            for (int i = 0; i < lanes; i++) {
                int want = Float.floatToRawIntBits(Float.float16ToFloat((short) (h + i)));
                assertEquals(want, Float.floatToRawIntBits(got[i]), "half 0x" + Integer.toHexString(h + i));
            }
        }
    }

    @Test
    void f16NonFiniteWeightsPropagate() {
        int cols = 40;
        byte[] bytes = KernelCases.randomBytes(GgmlType.F16, 3, cols, 5);
        short[] special = {(short) 0x7C00, (short) 0xFC00, (short) 0x7E01};
        for (int r = 0; r < 3; r++) {
            int e = 2 * (r * cols + 3 + 11 * r);
            bytes[e] = (byte) special[r];
            bytes[e + 1] = (byte) (special[r] >> 8);
        }
        check(GgmlType.F16, bytes, 3, cols, 2, false, one, 1 << 16, 9);
    }

    @Test
    void unsupportedTypesAndBadShapesAreTypedErrors() {
        VectorMatMul mm = new VectorMatMul(one);
        WeightMatrix q8k = new WeightMatrix("q8k", GgmlType.Q8_K, MemorySegment.ofArray(new byte[292]), 256, 1);
        assertThrows(UnsupportedOperationException.class, () -> mm.matmul(q8k, new float[256], 1, new float[1]));
        WeightMatrix iq2 = new WeightMatrix("iq2", GgmlType.IQ2_XXS, MemorySegment.ofArray(new byte[66]), 256, 1);
        assertThrows(UnsupportedOperationException.class, () -> mm.matmul(iq2, new float[256], 1, new float[1]));
        WeightMatrix q40 = new WeightMatrix("q40", GgmlType.Q4_0, MemorySegment.ofArray(new byte[18 * 4]), 32, 4);
        assertThrows(IllegalArgumentException.class, () -> mm.matmul(q40, new float[31], 1, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> mm.matmul(q40, new float[64], 2, new float[7]));
        assertThrows(IllegalArgumentException.class, () -> mm.matmul(q40, new float[64], -1, new float[8]));
        mm.matmul(q40, new float[0], 0, new float[0]); // no tokens: nothing to do
        assertTrue(VectorMatMul.supports(GgmlType.Q4_K));
    }

    @Test
    void goldenDotProductsAgreeWithGgml() throws Exception {
        // ggml's scalar vec_dot results on its own golden rows (dot.tsv): same value up to the summation order
        java.nio.file.Path dir = io.mbllm.testkit.SharedData.require("testdata/quant");
        java.util.List<String> lines = java.nio.file.Files.readAllLines(dir.resolve("dot.tsv"));
        float[] act = ActQuantTest.readFloats(dir.resolve("act.f32"));
        int[] n = {1024, 1024, 256, 256, 256, 512, 256, 256, 256, 256, 256, 256, 256, 512, 512, 256};
        int[] floatOff = new int[n.length];
        for (int i = 1; i < n.length; i++) floatOff[i] = floatOff[i - 1] + n[i - 1];
        int checked = 0;
        VectorMatMul mm = new VectorMatMul(one);
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f.length < 7 || f[0].equals("type")) continue;
            GgmlType type = GgmlType.byName(f[0]);
            int row = Integer.parseInt(f[2]);
            byte[] all = java.nio.file.Files.readAllBytes(dir.resolve(f[0] + "." + f[1] + ".q.bin"));
            long byteOff = 0;
            for (int i = 0; i < row; i++) byteOff += type.rowBytes(n[i]);
            MemorySegment seg = MemorySegment.ofArray(all).asSlice(byteOff, type.rowBytes(n[row]));
            WeightMatrix w = new WeightMatrix(f[0], type, seg, n[row], 1);
            float[] x = java.util.Arrays.copyOfRange(act, floatOff[row], floatOff[row] + n[row]);
            float[] out = new float[1];
            mm.matmul(w, x, 1, out);
            float want = Float.intBitsToFloat(Integer.parseUnsignedInt(f[5].substring(2), 16));
            double bound = REL_TOL * KernelCases.absTerms(type, seg, 0, x, 0, n[row]) + 1e-30;
            assertTrue(Math.abs((double) out[0] - want) <= bound, line + " -> " + out[0] + " (bound " + bound + ")");
            checked++;
        }
        assertTrue(checked >= 100, "dot.tsv rows checked: " + checked);
    }
}
