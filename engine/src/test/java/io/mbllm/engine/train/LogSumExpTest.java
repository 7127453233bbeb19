package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** {@link LogSumExp} against a direct sum, on rows where the direct sum is exact enough, and where it overflows. */
class LogSumExpTest {
    /** {@code log Σ exp(s·z_i)} summed directly in double, no maximum subtracted. */
    static double direct(float[] z, int off, int n, double s) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(s * z[off + i]);
        return Math.log(sum);
    }

    @Test
    void matchesTheDirectSumOnModerateRows() {
        SplittableRandom r = new SplittableRandom(7);
        for (int rep = 0; rep < 50; rep++) {
            int n = 1 + r.nextInt(300), off = r.nextInt(4);
            float[] z = new float[off + n + 2];
            for (int i = 0; i < z.length; i++) z[i] = (float) (20 * (2 * r.nextDouble() - 1));
            assertEquals(direct(z, off, n, 1), LogSumExp.of(z, off, n), 1e-12, "row " + rep);
            for (float t : new float[] {0.5f, 2f, 3f}) {
                float s = 1f / t;
                assertEquals(direct(z, off, n, s), LogSumExp.scaled(z, off, n, s), 1e-12, "row " + rep + " T=" + t);
            }
        }
    }

    @Test
    void staysFiniteWhereTheDirectSumOverflows() {
        float[] z = {1000f, 1000f, -1000f, Float.NEGATIVE_INFINITY};
        assertEquals(Double.POSITIVE_INFINITY, direct(z, 0, 4, 1));
        assertEquals(1000 + Math.log(2), LogSumExp.of(z, 0, 4), 1e-12);
        assertEquals(500 + Math.log(2), LogSumExp.scaled(z, 0, 4, 0.5f), 1e-12);
        assertEquals(3f, LogSumExp.of(new float[] {9f, 3f}, 1, 1), 0, "a single element is its own log-sum-exp");
    }
}
