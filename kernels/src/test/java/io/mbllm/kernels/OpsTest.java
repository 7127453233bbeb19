package io.mbllm.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OpsTest {
    @Test
    void rmsNormScalesByRootMeanSquare() {
        float[] x = {3, 4}, out = new float[2];
        Ops.rmsNorm(x, 0, new float[] {1, 2}, 0, out, 0, 2, 0f);
        double rms = Math.sqrt((9 + 16) / 2.0);
        assertArrayEquals(new float[] {(float) (3 / rms), (float) (2 * 4 / rms)}, out, 1e-6f);
    }

    @Test
    void layerNormCentersScalesAndShifts() {
        float[] x = {1, 2, 3, 4}, out = new float[4];
        Ops.layerNorm(x, 0, new float[] {1, 1, 1, 2}, 0, new float[] {0, 0, 0, 1}, 0, out, 0, 4, 0f);
        double sd = Math.sqrt(1.25);
        assertArrayEquals(new float[] {(float) (-1.5 / sd), (float) (-0.5 / sd), (float) (0.5 / sd), (float) (2 * 1.5 / sd + 1)}, out, 1e-6f);
    }

    @Test
    void softmaxSumsToOneAndIsShiftInvariant() {
        float[] a = {1000, 1001, 1002};
        Ops.softmax(a, 0, 3);
        double e = Math.exp(1), z = 1 + e + e * e;
        assertArrayEquals(new float[] {(float) (1 / z), (float) (e / z), (float) (e * e / z)}, a, 1e-6f);
    }

    @Test
    void swigluAndArgmaxTies() {
        float[] out = new float[2];
        Ops.swiglu(new float[] {0, 2}, 0, new float[] {5, 3}, 0, out, 0, 2);
        assertArrayEquals(new float[] {0, (float) (3 * 2 / (1 + Math.exp(-2)))}, out, 1e-6f);
        assertEquals(1, Ops.argmax(new float[] {0, 7, 7, 1}, 0, 4));
    }
}
