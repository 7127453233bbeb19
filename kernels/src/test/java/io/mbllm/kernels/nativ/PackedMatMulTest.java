package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * The packed Q4_0, Q8_0 and Q4_K layouts (AVX-512: 16 interleaved rows per group) through their C entry points, on ragged shapes:
 * row ranges that start and end inside a group, token counts around the 8-token tile, rows past the last full
 * group (kept plain). Packed results must match the plain kernel of the same variant within the SIMD tolerance
 * of {@link NativeMatMulTest} (same exact block integers, another float summation order), and the Q4_0/Q8_0 layout
 * must be a permutation of the plain bytes (same size, every code and scale moved, none lost).
 */
class PackedMatMulTest {
    private static NativeVariant packingVariant(GgmlType type) {
        requireNative();
        for (NativeVariant v : NativeVariant.available()) {
            if (mbllm_kernels_h.mbllm_pack_bytes(v.id(), type.id(), 16, type.blockSize()) > 0) return v;
        }
        assumeTrue(false, "no packed " + type + " layout on this CPU (or in exact mode, for Q8_0)");
        return null;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K"})
    void packedMatchesPlainOnRaggedRangesAndTokens(GgmlType type) {
        NativeVariant v = packingVariant(type);
        int id = type.id();
        Random rnd = new Random(7);
        // rows: one group short, exact groups, groups plus a tail; cols: 1, 3 and 64 blocks
        int[][] shapes = type == GgmlType.Q4_K ? new int[][] {{15, 1}, {16, 1}, {33, 3}, {48, 2}, {70, 8}}
                : new int[][] {{15, 1}, {16, 1}, {33, 3}, {48, 2}, {70, 64}, {130, 3}};
        int[] tokens = {1, 2, 7, 8, 9, 17};
        double worst = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int[] shape : shapes) {
                int rows = shape[0], cols = shape[1] * type.blockSize();
                WeightMatrix w = randomCodes(type, rows, cols, rnd.nextLong());
                long bytes = mbllm_kernels_h.mbllm_pack_bytes(v.id(), id, rows, cols);
                // Q4_K: 2304 bytes per 16-row group and block (the plain bytes rearranged), plain tail rows
                long wantBytes = type == GgmlType.Q4_K ? rows / 16 * 2304L * shape[1] + rows % 16 * w.rowBytes() : w.rowBytes() * rows;
                assertEquals(wantBytes, bytes, "packed size");
                MemorySegment packed = arena.allocate(bytes, 64);
                assertEquals(0, mbllm_kernels_h.mbllm_pack(v.id(), id, w.data(), rows, cols, packed));
                if (type != GgmlType.Q4_K) assertSameBytes(w, packed, type == GgmlType.Q8_0 ? 32 : 16);
                for (int nTok : tokens) {
                    float[] x = gaussian(rnd, nTok * cols, 1f);
                    long actRow = mbllm_kernels_h.mbllm_act_row_bytes(id, cols);
                    MemorySegment act = arena.allocate(actRow * nTok);
                    assertEquals(0, mbllm_kernels_h.mbllm_quantize_act(id, MemorySegment.ofArray(x), cols, nTok, act));
                    float[] want = new float[nTok * rows];
                    assertEquals(0, mbllm_kernels_h.mbllm_matmul(v.id(), id, w.data(), w.rowBytes(), cols, act, actRow, nTok,
                            MemorySegment.ofArray(want), rows, 0, rows));
                    double[] abs = absTermSums(w, x, nTok);
                    // whole range, then ranges cut inside groups
                    int[][] ranges = {{0, rows}, {3, rows}, {0, Math.min(rows, 5)}, {rows / 3, rows - rows / 4}, {rows - 1, rows}};
                    for (int[] range : ranges) {
                        int r0 = range[0], r1 = range[1];
                        float[] got = new float[nTok * rows];
                        java.util.Arrays.fill(got, 42f);
                        assertEquals(0, mbllm_kernels_h.mbllm_matmul_packed(v.id(), id, packed, rows, cols, act, actRow, nTok,
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
        System.out.printf("packed %s %s worst err/sum|terms| = %.3g%n", type, v, worst);
    }

    /** Every row's scales and code bytes are found where the layout puts them (mk_internal.h, MK_PR). */
    private static void assertSameBytes(WeightMatrix w, MemorySegment packed, int codeBytes) {
        int rows = w.rows(), nb = w.cols() / 32, groups = rows / 16, blockBytes = 2 + codeBytes;
        byte flip = (byte) (codeBytes == 32 ? 0x80 : 0); // Q8_0 codes are stored plus 128
        long rowBytes = w.rowBytes();
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                long src = r * rowBytes + (long) b * blockBytes;
                int g = r / 16, k = r % 16;
                for (int j = 0; j < blockBytes; j++) {
                    long dst;
                    byte want = w.data().get(ValueLayout.JAVA_BYTE, src + j);
                    if (g >= groups) {
                        dst = src + j; // plain tail
                    } else {
                        long base = g * 16L * rowBytes;
                        long block = base + b * 16L * blockBytes; // the block's codes, then its 16 scales
                        dst = j < 2 ? block + 16L * codeBytes + 2L * k + j
                                : block + 64L * ((j - 2) / 4) + 4L * k + (j - 2) % 4;
                        if (j >= 2) want ^= flip;
                    }
                    assertEquals(want, packed.get(ValueLayout.JAVA_BYTE, dst), "row " + r + " block " + b + " byte " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K"})
    void nativeMatMulUsesThePackedCopyAndMatchesTheReference(GgmlType type) {
        NativeVariant v = packingVariant(type);
        try (Parallel parallel = new Parallel(2)) {
            NativeMatMul nat = new NativeMatMul(parallel, v);
            ReferenceMatMul ref = new ReferenceMatMul(parallel);
            Random rnd = new Random(11);
            WeightMatrix w = quantized(type, 100, 512, 5);
            assertTrue(PackedWeights.of(w, v).packed(), type + " is packed here");
            assertSame(PackedWeights.of(w, v), PackedWeights.of(w, v), "packed once, then shared");
            for (int nTok : new int[] {1, 12}) {
                float[] x = gaussian(rnd, nTok * 512, 1f);
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
