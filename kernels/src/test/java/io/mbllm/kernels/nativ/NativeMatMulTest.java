package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * Every weight type, on ragged shapes, for every kernel variant this CPU runs, against {@link ReferenceMatMul}.
 *
 * <p>The scalar variant follows the reference summation order on the same activation bytes, so it must agree
 * bit for bit. The SIMD variants sum the same exact per-block integers but add the scaled block terms in another
 * order (and with fused multiply-adds), so they must agree within {@value #SIMD_TOLERANCE} relative to
 * Σ|w_i·x_i| (dequantized weights times dequantized activations, in double). Observed worst cases are about
 * 3e-7 (Q4_1/Q5_1, F32); one wrongly decoded code moves a 2048-column result by about 1/2048 of that sum, far
 * outside the bound.
 */
class NativeMatMulTest {
    /** Relative tolerance of the SIMD variants, against Σ|terms|. */
    static final double SIMD_TOLERANCE = 1e-5;

    /** (rows, column blocks or float columns, tokens): 1 row, 1 block, ragged tiles, 1/2/3/7/16 tokens and more. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 1, 16}, {1, 3, 2}, {5, 1, 3}, {3, 2, 7}, {17, 1, 1}, {37, 3, 16}, {70, 2, 19}, {67, 8, 3},
            {130, 1, 5}, {33, 4, 1}, {2, 5, 2},
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (NativeVariant v : NativeVariant.values()) {
            for (GgmlType t : TYPES) out.add(Arguments.of(v, t));
        }
        return out.stream();
    }

    private static int cols(GgmlType t, int blocks) {
        if (t.isQuantized()) return blocks * t.blockSize();
        // float types: columns that are not multiples of any vector width, and one wide row
        return new int[] {0, 1, 7, 33, 100, 257, 130, 15, 1000, 64, 65, 31}[blocks % 12] + (blocks >= 8 ? 512 : 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReference(NativeVariant variant, GgmlType type) {
        requireNative();
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeVariant.available().contains(variant), variant + " not on this CPU");
        NativeMatMul nat = new NativeMatMul(POOL, variant);
        ReferenceMatMul ref = new ReferenceMatMul(POOL);
        Random rnd = new Random(type.id() * 1000L + variant.ordinal());
        double worst = 0;
        for (int s = 0; s < SHAPES.length; s++) {
            int rows = SHAPES[s][0], cols = cols(type, SHAPES[s][1]), nTok = SHAPES[s][2];
            for (boolean random : new boolean[] {false, true}) {
                long seed = rnd.nextLong();
                WeightMatrix w = random ? randomCodes(type, rows, cols, seed) : quantized(type, rows, cols, seed);
                float[] x = gaussian(rnd, nTok * cols, 1f);
                float[] got = new float[nTok * rows + 3];
                float[] want = new float[nTok * rows + 3];
                got[nTok * rows] = 42f; // past the end: must stay untouched
                nat.matmul(w, x, nTok, got);
                ref.matmul(w, x, nTok, want);
                assertEquals(42f, got[nTok * rows], "wrote past nTokens*rows");
                assertFinite(got, nTok * rows);
                String what = type + " " + variant + " " + w.name() + " rows=" + rows + " cols=" + cols + " nTok=" + nTok;
                if (variant == NativeVariant.SCALAR) {
                    for (int i = 0; i < nTok * rows; i++) {
                        int idx = i;
                        assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                                () -> what + " [t=" + idx / rows + " r=" + idx % rows + "] " + got[idx] + " vs " + want[idx]);
                    }
                } else {
                    double[] abs = absTermSums(w, x, nTok);
                    for (int i = 0; i < nTok * rows; i++) {
                        double err = Math.abs((double) got[i] - want[i]);
                        double bound = SIMD_TOLERANCE * abs[i] + Float.MIN_NORMAL;
                        worst = Math.max(worst, err / (abs[i] + Float.MIN_NORMAL));
                        int idx = i;
                        assertTrue(err <= bound, () -> what + " [t=" + idx / rows + " r=" + idx % rows + "] " + got[idx]
                                + " vs " + want[idx] + " (err " + err + ", bound " + bound + ")");
                    }
                }
            }
        }
        if (variant != NativeVariant.SCALAR) System.out.printf("%s %s worst err/sum|terms| = %.3g%n", type, variant, worst);
    }
}
