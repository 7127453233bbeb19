package io.mbllm.engine.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The distillation loss and its gradient against independent computations. */
class DistillLossTest {
    static final int N = 37;

    static float[] randomLogits(long seed, double spread) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] z = new float[N];
        for (int i = 0; i < N; i++) z[i] = (float) (spread * (2 * r.nextDouble() - 1));
        return z;
    }

    /** log softmax(z/T) in double. */
    static double[] logSoftmax(float[] z, double t) {
        double m = Double.NEGATIVE_INFINITY;
        for (float v : z) m = Math.max(m, v / t);
        double s = 0;
        for (float v : z) s += Math.exp(v / t - m);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) out[i] = z[i] / t - m - Math.log(s);
        return out;
    }

    static double loss(float[] teacher, float[] student, double t) {
        double[] lp = logSoftmax(teacher, t), lq = logSoftmax(student, t);
        double kl = 0;
        for (int i = 0; i < lp.length; i++) kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
        return t * t * kl;
    }

    static float[] teacherLogP(float[] teacher, float t) {
        float[] out = new float[N];
        TeacherDistributions.logSoftmax(teacher, 0, out, 0, N, t);
        return out;
    }

    @Test
    void lossIsTSquaredKlAndGradientMatchesFiniteDifferences() {
        float[] teacher = randomLogits(1, 6), student = randomLogits(2, 6);
        for (float t : new float[] {1f, 2f, 0.5f}) {
            float[] g = student.clone();
            double l = DistillLoss.lossAndGradient(teacherLogP(teacher, t), 0, g, 0, N, t, 1f);
            assertEquals(loss(teacher, student, t), l, 1e-5, "loss at T=" + t);
            for (int i = 0; i < N; i += 5) {
                float[] up = student.clone(), down = student.clone();
                float h = 1e-2f;
                up[i] += h;
                down[i] -= h;
                double fd = (loss(teacher, up, t) - loss(teacher, down, t)) / (2 * h);
                assertEquals(fd, g[i], 2e-4, "d loss / d z[" + i + "] at T=" + t);
            }
        }
    }

    @Test
    void weightScalesTheGradientNotTheLoss() {
        float[] teacher = randomLogits(3, 4), student = randomLogits(4, 4);
        float[] g1 = student.clone(), g2 = student.clone();
        double l1 = DistillLoss.lossAndGradient(teacherLogP(teacher, 1.5f), 0, g1, 0, N, 1.5f, 1f);
        double l2 = DistillLoss.lossAndGradient(teacherLogP(teacher, 1.5f), 0, g2, 0, N, 1.5f, 0.25f);
        assertEquals(l1, l2, 0.0);
        for (int i = 0; i < N; i++) assertEquals(0.25f * g1[i], g2[i], 1e-7f);
    }

    @Test
    void studentEqualToTeacherHasNoLossAndNoGradient() {
        float[] z = randomLogits(5, 8);
        float[] g = z.clone();
        double l = DistillLoss.lossAndGradient(teacherLogP(z, 1f), 0, g, 0, N, 1f, 1f);
        assertEquals(0.0, l, 1e-6);
        for (float v : g) assertEquals(0f, v, 1e-6f);
    }
}
