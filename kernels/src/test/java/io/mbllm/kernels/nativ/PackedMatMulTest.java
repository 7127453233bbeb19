package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * The packed Q4_0 layout (AVX-512: 16 interleaved rows per group) through its C entry points, on ragged shapes:
 * row ranges that start and end inside a group, token counts around the 8-token tile, rows past the last full
 * group (kept plain). Packed results must match the plain kernel of the same variant within the SIMD tolerance
 * of {@link NativeMatMulTest} (same exact block integers, another float summation order), and the layout must be
 * a permutation of the plain bytes (same size, every code and scale moved, none lost).
 */
class PackedMatMulTest {
    private static final int Q4_0 = GgmlType.Q4_0.id();

    private static NativeVariant packingVariant() {
        requireNative();
        for (NativeVariant v : NativeVariant.available()) {
            if (mbllm_kernels_h.mbllm_pack_bytes(v.id(), Q4_0, 16, 32) > 0) return v;
        }
        assumeTrue(false, "no packed layout on this CPU");
        return null;
    }

    @Test
    void packedMatchesPlainOnRaggedRangesAndTokens() {
        NativeVariant v = packingVariant();
        Random rnd = new Random(7);
        // rows: one group short, exact groups, groups plus a tail; cols: 1, 3 and 64 blocks
        int[][] shapes = {{15, 1}, {16, 1}, {33, 3}, {48, 2}, {70, 64}, {130, 3}};
        int[] tokens = {1, 2, 7, 8, 9, 17};
        double worst = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int[] shape : shapes) {
                int rows = shape[0], cols = shape[1] * 32;
                WeightMatrix w = randomCodes(GgmlType.Q4_0, rows, cols, rnd.nextLong());
                long bytes = mbllm_kernels_h.mbllm_pack_bytes(v.id(), Q4_0, rows, cols);
                assertEquals(w.rowBytes() * rows, bytes, "the packed copy takes the plain bytes");
                MemorySegment packed = arena.allocate(bytes, 64);
                assertEquals(0, mbllm_kernels_h.mbllm_pack(v.id(), Q4_0, w.data(), rows, cols, packed));
                assertSameBytes(w, packed);
                for (int nTok : tokens) {
                    float[] x = gaussian(rnd, nTok * cols, 1f);
                    long actRow = mbllm_kernels_h.mbllm_act_row_bytes(Q4_0, cols);
                    MemorySegment act = arena.allocate(actRow * nTok);
                    assertEquals(0, mbllm_kernels_h.mbllm_quantize_act(Q4_0, MemorySegment.ofArray(x), cols, nTok, act));
                    float[] want = new float[nTok * rows];
                    assertEquals(0, mbllm_kernels_h.mbllm_matmul(v.id(), Q4_0, w.data(), w.rowBytes(), cols, act, actRow, nTok,
                            MemorySegment.ofArray(want), rows, 0, rows));
                    double[] abs = absTermSums(w, x, nTok);
                    // whole range, then ranges cut inside groups
                    int[][] ranges = {{0, rows}, {3, rows}, {0, Math.min(rows, 5)}, {rows / 3, rows - rows / 4}, {rows - 1, rows}};
                    for (int[] range : ranges) {
                        int r0 = range[0], r1 = range[1];
                        float[] got = new float[nTok * rows];
                        java.util.Arrays.fill(got, 42f);
                        assertEquals(0, mbllm_kernels_h.mbllm_matmul_packed(v.id(), Q4_0, packed, rows, cols, act, actRow, nTok,
                                MemorySegment.ofArray(got), rows, r0, r1));
                        for (int t = 0; t < nTok; t++) {
                            for (int r = 0; r < rows; r++) {
                                int i = t * rows + r;
                                String what = "rows=" + rows + " cols=" + cols + " nTok=" + nTok + " range=[" + r0 + "," + r1 + ") t=" + t + " r=" + r;
                                if (r < r0 || r >= r1) {
                                    assertEquals(42f, got[i], what + ": written outside the range");
                                    continue;
                                }
                                double err = Math.abs((double) got[i] - want[i]);
                                worst = Math.max(worst, err / (abs[i] + Float.MIN_NORMAL));
                                assertTrue(err <= NativeMatMulTest.SIMD_TOLERANCE * abs[i] + Float.MIN_NORMAL,
                                        what + ": " + got[i] + " vs " + want[i]);
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("packed Q4_0 %s worst err/sum|terms| = %.3g%n", v, worst);
    }

    /** Every row's scales and code bytes are found where the layout puts them (mk_internal.h, MK_PR). */
    private static void assertSameBytes(WeightMatrix w, MemorySegment packed) {
        int rows = w.rows(), nb = w.cols() / 32, groups = rows / 16;
        long rowBytes = w.rowBytes();
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                long src = r * rowBytes + b * 18L;
                int g = r / 16, k = r % 16;
                for (int j = 0; j < 18; j++) {
                    long dst;
                    if (g >= groups) {
                        dst = src + j; // plain tail
                    } else {
                        long base = g * 16L * rowBytes;
                        dst = j < 2 ? base + nb * 256L + b * 32L + 2L * k + j
                                : base + b * 256L + 64L * ((j - 2) / 4) + 4L * k + (j - 2) % 4;
                    }
                    assertEquals(w.data().get(ValueLayout.JAVA_BYTE, src + j), packed.get(ValueLayout.JAVA_BYTE, dst),
                            "row " + r + " block " + b + " byte " + j);
                }
            }
        }
    }

    @Test
    void nativeMatMulUsesThePackedCopyAndMatchesTheReference() {
        NativeVariant v = packingVariant();
        try (Parallel parallel = new Parallel(2)) {
            NativeMatMul nat = new NativeMatMul(parallel, v);
            ReferenceMatMul ref = new ReferenceMatMul(parallel);
            Random rnd = new Random(11);
            WeightMatrix w = quantized(GgmlType.Q4_0, 100, 256, 5);
            assertNotEquals(MemorySegment.NULL, PackedWeights.of(w, v), "Q4_0 is packed here");
            assertSame(PackedWeights.of(w, v), PackedWeights.of(w, v), "packed once, then shared");
            for (int nTok : new int[] {1, 12}) {
                float[] x = gaussian(rnd, nTok * 256, 1f);
                float[] got = new float[nTok * 100], want = new float[nTok * 100];
                nat.matmul(w, x, nTok, got);
                ref.matmul(w, x, nTok, want);
                double[] abs = absTermSums(w, x, nTok);
                for (int i = 0; i < got.length; i++) {
                    assertTrue(Math.abs((double) got[i] - want[i]) <= NativeMatMulTest.SIMD_TOLERANCE * abs[i] + Float.MIN_NORMAL,
                            "nTok=" + nTok + " i=" + i + ": " + got[i] + " vs " + want[i]);
                }
            }
        }
    }
}
