package io.mbllm.engine.train;

/**
 * AdamW as PyTorch 1.13's {@code torch.optim.AdamW} ({@code foreach=False}, no amsgrad) computes it: float32
 * state and tensor arithmetic, the scalar coefficients in double ({@code testdata/lora-train-oracle/README.md},
 * "Optimizer"). Per step {@code t = 1, 2, …}: {@code θ ← θ·(1 − lr·wd)}, {@code m ← β1·m + (1−β1)·g},
 * {@code v ← β2·v + (1−β2)·g²}, {@code θ ← θ − (lr/bc1) · m / (sqrt(v)/sqrt(bc2) + ε)} with
 * {@code bc_i = 1 − β_i^t}.
 *
 * @param lr          learning rate
 * @param beta1       β1
 * @param beta2       β2
 * @param eps         ε
 * @param weightDecay decoupled weight decay
 */
public record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) {
    /** PyTorch's defaults with weight decay 0 (the reference run) and the given learning rate. */
    public static AdamW of(double lr) {
        return new AdamW(lr, 0.9, 0.999, 1e-8, 0.0);
    }

    public AdamW {
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("betas must be in [0, 1)");
        if (!(eps > 0) || !(weightDecay >= 0)) throw new IllegalArgumentException("eps must be positive and weight decay not negative");
    }

    /**
     * One update of {@code theta[0..n)} with gradient {@code g}, first moment {@code m} and second moment
     * {@code v} (updated in place) at step {@code t >= 1}.
     */
    public void step(float[] theta, float[] g, float[] m, float[] v, int n, int t) {
        if (t < 1) throw new IllegalArgumentException("step must be >= 1: " + t);
        float decay = (float) (1.0 - lr * weightDecay);
        float b1 = (float) beta1, b2 = (float) beta2;
        float c1 = (float) (1.0 - beta1), c2 = (float) (1.0 - beta2);
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float e = (float) eps;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float th = theta[i] * decay;
            float mi = m[i] * b1 + gi * c1;
            float vi = v[i] * b2 + gi * gi * c2;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
            theta[i] = th - stepSize * (mi / denom);
        }
    }
}
