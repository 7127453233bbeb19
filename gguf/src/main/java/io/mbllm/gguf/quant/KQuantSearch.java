package io.mbllm.gguf.quant;

/**
 * ggml's shared scale-search routines ({@code shared/docs/quantization.md} §3; ggml-quants.c
 * {@code make_qx_quants}, {@code make_q3_quants}, {@code make_qkx2_quants}, {@code make_qkx3_quants},
 * {@code make_qp_quants}), bit-exact: float32 arithmetic in the C evaluation order, no FMA.
 *
 * <p>Every routine reads {@code n} values starting at an offset of a caller's array and writes its codes into a
 * caller's {@code byte[]} (unsigned where ggml uses {@code uint8_t}); nothing is allocated.
 */
public final class KQuantSearch {
    private KQuantSearch() {}

    /** ggml's {@code GROUP_MAX_EPS}. */
    public static final float GROUP_MAX_EPS = 1e-15f;

    private static final float MAGIC = 12582912.0f; // 1.5 * 2^23

    /**
     * ggml's {@code nearest_int}: round half to even through the bits of {@code v + 1.5*2^23}. Identical to
     * {@code Math.rint} for {@code |v| <= 4194303}; outside that range it returns what ggml returns.
     */
    public static int nearestInt(float v) {
        return (Float.floatToRawIntBits(v + MAGIC) & 0x007FFFFF) - 0x00400000;
    }

    /**
     * {@code make_qx_quants(n, nmax, x, L, rmse_type=1, qw)}: symmetric signed codes {@code L = l + nmax} in
     * {@code [0, 2*nmax)}. Weights are {@code qw[qwOff+i]}, or {@code x*x} when {@code qw} is null.
     *
     * @return the scale (negative when the largest-magnitude value is positive)
     */
    public static float makeQxQuants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff, float[] qw, int qwOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0f;
        }
        float iscale = (float) (-nmax) / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = (byte) (l + nmax);
            float w = qw != null ? qw[qwOff + i] : xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -((float) nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
                float w = qw != null ? qw[qwOff + i] : xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = clamp(nearestInt(iscale * x[xOff + i]), -nmax, nmax - 1);
                    L[lOff + i] = (byte) (nmax + l);
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * {@code make_q3_quants(n, nmax, x, L, do_rmse=true)}: the Q3_K reference search with iterative
     * per-element refinement (weights {@code x*x}). Codes are {@code l + nmax}; an all-zero input gives codes 0.
     */
    public static float makeQ3Quants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0f;
        }
        float iscale = (float) (-nmax) / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = (byte) l;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int li = L[lOff + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * li;
                if (slx > 0) {
                    float sl2 = suml2 - w * li * li;
                    int newL = clamp(nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
                    if (newL != li) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lOff + i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) L[lOff + i] = (byte) (L[lOff + i] + nmax);
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    /**
     * {@code make_qkx2_quants}: asymmetric codes in {@code [0, nmax]} with a scale and a non-negative offset
     * ({@code value ~ scale*L - theMin}). Weights {@code w[wOff+i]} are required.
     *
     * @param laux    scratch for at least {@code n} codes
     * @param minOut  receives {@code the_min} at index {@code minIdx}
     * @return the scale
     */
    public static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] w, int wOff, byte[] L, int lOff,
                                       float[] minOut, int minIdx, byte[] laux,
                                       float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx(false, n, nmax, x, xOff, w, wOff, L, lOff, minOut, minIdx, laux, rmin, rdelta, nstep, useMad);
    }

    /**
     * {@code make_qkx3_quants}: as {@link #makeQkx2Quants} but an empty range is {@code max <= min} and a null
     * {@code w} means weights {@code x*x}.
     */
    public static float makeQkx3Quants(int n, int nmax, float[] x, int xOff, float[] w, int wOff, byte[] L, int lOff,
                                       float[] minOut, int minIdx, byte[] laux,
                                       float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx(true, n, nmax, x, xOff, w, wOff, L, lOff, minOut, minIdx, laux, rmin, rdelta, nstep, useMad);
    }

    private static float weight(float[] w, int wOff, int i, float xi) {
        return w != null ? w[wOff + i] : xi * xi;
    }

    private static float makeQkx(boolean qkx3, int n, int nmax, float[] x, int xOff, float[] w, int wOff,
                                 byte[] L, int lOff, float[] minOut, int minIdx, byte[] laux,
                                 float rmin, float rdelta, int nstep, boolean useMad) {
        float x0 = x[xOff];
        float min = x0;
        float max = x0;
        float sumW = weight(w, wOff, 0, x0);
        float sumX = sumW * x0;
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float wi = weight(w, wOff, i, xi);
            sumW += wi;
            sumX += wi * xi;
        }
        if (min > 0) min = 0;
        if (qkx3 ? max <= min : max == min) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            minOut[minIdx] = -min;
            return 0f;
        }
        float iscale = (float) nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clamp(nearestInt(iscale * (xi - min)), 0, nmax);
            L[lOff + i] = (byte) l;
            float diff = scale * l + min - xi;
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weight(w, wOff, i, xi) * diff;
        }
        if (nstep < 1) {
            minOut[minIdx] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = clamp(nearestInt(iscale * (xi - min)), 0, nmax);
                laux[i] = (byte) l;
                float wi = weight(w, wOff, i, xi);
                sumL += wi * l;
                sumL2 += wi * l * l;
                sumXL += wi * l * xi;
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float cur = 0;
                for (int i = 0; i < n; i++) {
                    float xi = x[xOff + i];
                    float diff = thisScale * laux[i] + thisMin - xi;
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    cur += weight(w, wOff, i, xi) * diff;
                }
                if (cur < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = cur;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[minIdx] = -min;
        return scale;
    }

    /**
     * {@code make_qp_quants(n, nmax, x, L, qw)}: codes in {@code [0, nmax]} for non-negative values (the K-quant
     * sub-block scales and mins in the imatrix path). Codes are stored as ggml's {@code uint8_t} (a negative
     * code wraps, exactly as in ggml).
     *
     * @return the super-block scale
     */
    public static float makeQpQuants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff, float[] qw, int qwOff) {
        float max = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            max = max > xi ? max : xi;
        }
        if (max < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0f;
        }
        float iscale = (float) nmax / max;
        for (int i = 0; i < n; i++) L[lOff + i] = (byte) nearestInt(iscale * x[xOff + i]);
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            float diff = xi - scale * (L[lOff + i] & 0xFF);
            bestMse += qw[qwOff + i] * diff * diff;
        }
        for (int is = -4; is <= 4; is++) {
            if (is == 0) continue;
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = Math.min(nmax, nearestInt(iscaleIs * xi));
                float diff = xi - scaleIs * l;
                mse += qw[qwOff + i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.min(nmax, nearestInt(iscale * xi));
            L[lOff + i] = (byte) l;
            float w = qw[qwOff + i];
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float w = qw[qwOff + i];
                int li = L[lOff + i] & 0xFF;
                float slx = sumlx - w * xi * li;
                float sl2 = suml2 - w * li * li;
                if (slx > 0 && sl2 > 0) {
                    int newL = Math.min(nmax, nearestInt(xi * sl2 / slx));
                    if (newL != li) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lOff + i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    static int clamp(int v, int lo, int hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
