package io.mbllm.gguf.quant;

/**
 * The two scale searches the legacy block types use on their imatrix path ({@code shared/docs/quantization.md}
 * §3.1 and §3.3; ggml-quants.c {@code make_qx_quants} with {@code rmse_type = 1} and {@code make_qkx3_quants}).
 * All arithmetic is float, left to right, without fused multiply-add. Callers pass the scratch arrays so that
 * the per-block loops allocate nothing.
 */
final class LegacySearch {
    private LegacySearch() {}

    /** ggml {@code GROUP_MAX_EPS}. */
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * Symmetric weighted search: codes {@code L[i]} in {@code 0..2*nmax-1} (biased by {@code nmax}) and the returned
     * scale such that {@code x ≈ scale * (L - nmax)}. {@code w} are the per-element weights (never null here).
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, byte[] L, float[] w) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[i] = 0;
            return 0f;
        }
        float iscale = (float) (-nmax) / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clampSigned(LegacyRounding.nearestInt(iscale * xi), nmax);
            L[i] = (byte) (l + nmax);
            float wi = w[i];
            sumlx += wi * xi * (float) l;
            suml2 += wi * (float) l * (float) l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -((float) nmax + 0.1f * (float) is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = clampSigned(LegacyRounding.nearestInt(iscale * xi), nmax);
                float wi = w[i];
                sumlx += wi * xi * (float) l;
                suml2 += wi * (float) l * (float) l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = clampSigned(LegacyRounding.nearestInt(iscale * x[xOff + i]), nmax);
                    L[i] = (byte) (l + nmax);
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * The row statistic of the Q4_0/Q4_1/Q5_0/Q5_1 imatrix paths: {@code Σ x²} over the whole row in index order,
     * divided by {@code (float) n}.
     */
    static float rowSigma2(float[] x, int off, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += x[off + i] * x[off + i];
        return sum / (float) n;
    }

    /** Per-element weights of those imatrix paths: {@code w[j] = qw[j] * sqrtf(sigma2 + x[j]*x[j])}. */
    static void rowWeights(float[] x, int xOff, float[] qw, int qwOff, float sigma2, float[] w, int n) {
        for (int j = 0; j < n; j++) {
            float xj = x[xOff + j];
            w[j] = qw[qwOff + j] * (float) Math.sqrt(sigma2 + xj * xj);
        }
    }

    private static int clampSigned(int l, int nmax) {
        return Math.max(-nmax, Math.min(nmax - 1, l));
    }

    /**
     * Asymmetric weighted search ({@code make_qkx3_quants}): codes {@code L[i]} in {@code 0..nmax} and the returned
     * scale such that {@code x ≈ scale * L - minOut[0]}. {@code Laux} is scratch of at least {@code n} bytes;
     * {@code w} the per-element weights (never null here).
     */
    static float makeQkx3Quants(int n, int nmax, float[] x, int xOff, float[] w, byte[] L, float[] minOut,
                                byte[] Laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff], max = x[xOff];
        float sumW = w[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float wi = w[i];
            sumW += wi;
            sumX += wi * xi;
        }
        if (min > 0) min = 0;
        if (max <= min) {
            for (int i = 0; i < n; i++) L[i] = 0;
            minOut[0] = -min;
            return 0f;
        }
        float iscale = (float) nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.max(0, Math.min(nmax, LegacyRounding.nearestInt(iscale * (xi - min))));
            L[i] = (byte) l;
            float diff = scale * (float) l + min - xi;
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestMad += w[i] * diff;
        }
        if (nstep < 1) {
            minOut[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * (float) is + (float) nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = Math.max(0, Math.min(nmax, LegacyRounding.nearestInt(iscale * (xi - min))));
                Laux[i] = (byte) l;
                float wi = w[i];
                sumL += wi * (float) l;
                sumL2 += wi * (float) l * (float) l;
                sumXL += wi * (float) l * xi;
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (float) Laux[i] + thisMin - x[xOff + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    mad += w[i] * diff;
                }
                if (mad < bestMad) {
                    System.arraycopy(Laux, 0, L, 0, n);
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }
}
