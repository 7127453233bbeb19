package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.Architecture.RopeType;

/** RoPE pairing, angles and the scaling variants ({@code shared/docs/gguf.md} §6). */
class RopeTest {
    static final int N_ROT = 8;

    private static double angle(float[] cos, float[] sin, int i) {
        return Math.atan2(sin[i], cos[i]);
    }

    @Test
    void anglesFollowTheThetaFormula() {
        Rope r = new Rope(RopeType.NORM, N_ROT, 10000f, RopeScaling.none(4096), null);
        float[] cos = new float[4], sin = new float[4];
        r.angles(3, cos, sin, 0);
        for (int i = 0; i < 4; i++) {
            double theta = 3 * Math.pow(10000, -2.0 * i / N_ROT);
            assertEquals(Math.cos(theta), cos[i], 1e-6);
            assertEquals(Math.sin(theta), sin[i], 1e-6);
        }
    }

    @Test
    void normPairsAdjacentAndNeoxPairsHalves() {
        float[] cos = {0, 0, 0, 0}, sin = {1, 1, 1, 1}; // a 90° turn of every pair: (a, b) -> (-b, a)
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        float[] norm = x.clone(), neox = x.clone();
        new Rope(RopeType.NORM, N_ROT, 10000f, RopeScaling.none(64), null).rotate(norm, 0, cos, sin, 0);
        new Rope(RopeType.NEOX, N_ROT, 10000f, RopeScaling.none(64), null).rotate(neox, 0, cos, sin, 0);
        assertArrayEquals(new float[] {-2, 1, -4, 3, -6, 5, -8, 7, 9, 10}, norm); // dims >= n_rot untouched
        assertArrayEquals(new float[] {-5, -6, -7, -8, 1, 2, 3, 4, 9, 10}, neox);
    }

    @Test
    void linearScalingAndFactorsDivideTheAngle() {
        RopeScaling linear = new RopeScaling(RopeScaling.Type.LINEAR, 0.25f, 4096, 1f, 32f, 1f, 0f);
        float[] factors = {1, 2, 4, 8};
        Rope r = new Rope(RopeType.NEOX, N_ROT, 10000f, linear, factors);
        float[] cos = new float[4], sin = new float[4];
        r.angles(8, cos, sin, 0);
        for (int i = 0; i < 4; i++) {
            double theta = 8 * 0.25 * Math.pow(10000, -2.0 * i / N_ROT) / factors[i];
            assertEquals(theta, angle(cos, sin, i), 1e-5);
        }
    }

    @Test
    void yarnExtrapolatesFastPairsInterpolatesSlowOnesAndScalesMagnitude() {
        int nRot = 64;
        float factor = 4f;
        RopeScaling yarn = new RopeScaling(RopeScaling.Type.YARN, 1f / factor, 256, 1f, 32f, 1f, 0f);
        Rope r = new Rope(RopeType.NEOX, nRot, 10000f, yarn, null);
        float[] cos = new float[nRot / 2], sin = new float[nRot / 2];
        int pos = 1;
        r.angles(pos, cos, sin, 0);
        double mag = 1 + 0.1 * Math.log(factor); // llama.cpp's attn factor cancels, ggml's mscale stays
        for (int i = 0; i < nRot / 2; i++) assertEquals(mag, Math.hypot(cos[i], sin[i]), 1e-5, "pair " + i);
        // pair 0 rotates fastest: below the low correction dim, so unscaled (extrapolated)
        assertEquals(pos * 1.0, angle(cos, sin, 0), 1e-5);
        // the slowest pair is past the high correction dim: fully interpolated (angle / factor)
        int last = nRot / 2 - 1;
        assertEquals(pos * Math.pow(10000, -2.0 * last / nRot) / factor, angle(cos, sin, last), 1e-7);
    }
}
