package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.WeightMatrix;

/**
 * Exact mode's promise for float weights: a token gives the same bits alone as inside a batch. Single-token passes
 * take several kernels by row width (rows one at a time, or eight rows side by side once the activation row no
 * longer fits beside the weight stream in L1, above 16 KiB) and by the rows left over in a thread's range; batches
 * take the prompt tiles and the per-row multi-token kernel. All of them must keep one accumulator per token in the
 * same order. Widths on both sides of the threshold, with a ragged vector tail; row counts below, at and around
 * the eight-row group, and ragged thread ranges.
 */
class SingleTokenOrderTest {
    private static final int[] COLS = {2048, 4100, 8192};
    private static final int[] ROWS = {1, 7, 8, 9, 23, 67};
    private static final int BATCH = 6;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (NativeVariant v : NativeVariant.values()) {
            for (GgmlType t : List.of(GgmlType.F16, GgmlType.BF16, GgmlType.F32)) out.add(Arguments.of(v, t));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void tokenAloneEqualsTokenInBatch(NativeVariant variant, GgmlType type) {
        requireNative();
        Assumptions.assumeTrue(NativeVariant.available().contains(variant), variant + " not on this CPU");
        int was = mbllm_kernels_h.mbllm_set_exact(1);
        try {
            NativeMatMul nat = new NativeMatMul(POOL, variant);
            Random rnd = new Random(31L * type.id() + variant.ordinal());
            for (int cols : COLS) {
                for (int rows : ROWS) {
                    WeightMatrix w = quantized(type, rows, cols, rnd.nextLong());
                    float[] x = gaussian(rnd, BATCH * cols, 1f);
                    float[] batch = new float[BATCH * rows];
                    nat.matmul(w, x, BATCH, batch);
                    assertFinite(batch, batch.length);
                    float[] one = new float[rows];
                    for (int t = 0; t < BATCH; t++) {
                        float[] xt = new float[cols];
                        System.arraycopy(x, t * cols, xt, 0, cols);
                        nat.matmul(w, xt, 1, one);
                        for (int r = 0; r < rows; r++) {
                            int tt = t, rr = r;
                            assertEquals(Float.floatToIntBits(batch[t * rows + r]), Float.floatToIntBits(one[r]),
                                    () -> type + " " + variant + " cols=" + cols + " rows=" + rows + " [t=" + tt + " r=" + rr
                                            + "] alone " + one[rr] + " vs batch " + batch[tt * rows + rr]);
                        }
                    }
                }
            }
        } finally {
            mbllm_kernels_h.mbllm_set_exact(was);
        }
    }
}
