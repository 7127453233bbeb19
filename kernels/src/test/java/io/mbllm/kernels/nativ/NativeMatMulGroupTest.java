package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.WeightMatrix;

/**
 * {@link NativeMatMul#matmulAll}: a group of matrices with mixed weight types (sharing or not sharing an
 * activation format) gives bit for bit what one {@code matmul} per matrix gives, for one token and for a batch.
 */
class NativeMatMulGroupTest {
    @ParameterizedTest(name = "nTok={0}")
    @ValueSource(ints = {1, 3, 19})
    void groupEqualsSeparateProducts(int nTok) {
        requireNative();
        int cols = 512;
        // Q4_K and Q6_K share Q8_K activations; Q8_0 and Q4_0 share Q8_0; F16 has its own
        GgmlType[] types = {GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.F16, GgmlType.Q4_0};
        int[] rows = {70, 33, 17, 64, 129};
        Random rnd = new Random(7 + nTok);
        WeightMatrix[] ws = new WeightMatrix[types.length];
        float[][] got = new float[types.length][];
        for (int i = 0; i < types.length; i++) {
            ws[i] = quantized(types[i], rows[i], cols, rnd.nextLong());
            got[i] = new float[nTok * rows[i]];
        }
        float[] x = gaussian(rnd, nTok * cols, 1f);
        NativeMatMul group = new NativeMatMul(POOL);
        NativeMatMul single = new NativeMatMul(POOL);
        group.matmulAll(ws, ws.length, x, nTok, got);
        for (int i = 0; i < types.length; i++) {
            float[] want = new float[nTok * rows[i]];
            single.matmul(ws[i], x, nTok, want);
            assertFinite(got[i], want.length);
            for (int j = 0; j < want.length; j++) {
                assertEquals(Float.floatToIntBits(want[j]), Float.floatToIntBits(got[i][j]), types[i] + " [" + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "nTok={0}")
    @ValueSource(ints = {1})
    void mismatchedColumnsAreRejected(int nTok) {
        requireNative();
        WeightMatrix a = quantized(GgmlType.Q8_0, 4, 64, 1), b = quantized(GgmlType.Q8_0, 4, 96, 2);
        NativeMatMul m = new NativeMatMul(POOL);
        assertThrows(IllegalArgumentException.class,
                () -> m.matmulAll(new WeightMatrix[] {a, b}, 2, new float[96], nTok, new float[][] {new float[4], new float[4]}));
    }
}
