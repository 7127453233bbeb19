package io.mbllm.gguf.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's shared scale-search routines and row statistics ({@code shared/docs/quantization.md} §3; ggml-quants.c
 * {@code make_qx_quants}, {@code make_q3_quants}, {@code make_qkx2_quants}, {@code make_qkx3_quants},
 * {@code make_qp_quants}), used by the K-quants and by the legacy types' imatrix paths. Bit-exact: float32
 * arithmetic in the C evaluation order, no FMA.
 *
 * <p>Every routine reads {@code n} values starting at an offset of a caller's array and writes its codes into a
 * caller's {@code byte[]} (unsigned where ggml uses {@code uint8_t}); nothing is allocated. The trial-scale loops
 * run several trials at once in the lanes of a vector (jdk.incubator.vector); every lane performs exactly the
 * scalar float operations of ggml in ggml's order (no fused multiply-add, no reassociation), so the result is the
 * same bit for bit.
 */
public final class ScaleSearch {
    private ScaleSearch() {}

    /** ggml's {@code GROUP_MAX_EPS}. */
    public static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * At most 256 bits: more lanes only add work that ggml's sequential {@code min} update throws away (and 512-bit
     * operations are not faster per lane on every CPU).
     */
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED.length() > 8
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;

    /** Trial scales evaluated side by side (float lanes of the preferred vector shape). */
    static final int LANES = FS.length();

    /**
     * The value of largest magnitude among {@code x[off..off+n)} (the first one on ties; 0 when all are zero or
     * NaN), as ggml's {@code max}/{@code amax} scans find it. Its magnitude is ggml's {@code amax}.
     */
    public static float signedAbsMax(float[] x, int off, int n) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        return max;
    }

    /**
     * ggml's {@code amax = MAX(amax, fabsf(x[i]))} scan over {@code x[off..off+n)} (Q8_0, Q8_1), with the C macro's
     * comparison order: a NaN element replaces the running maximum, and the next element replaces the NaN.
     */
    public static float maxAbs(float[] x, int off, int n) {
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            amax = amax > ax ? amax : ax;
        }
        return amax;
    }

    /** {@code Σ x[i]*x[i]} over {@code x[off..off+n)}, summed in index order in float. */
    public static float sumOfSquares(float[] x, int off, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += x[off + i] * x[off + i];
        return sum;
    }

    /**
     * The imatrix weights of ggml's {@code quantize_row_*_impl}: {@code w[wOff+j] = qw[qwOff+j] * sqrtf(sigma2 +
     * x[j]*x[j])} for {@code j < n}.
     */
    public static void imatrixWeights(float[] x, int xOff, float[] qw, int qwOff, float sigma2, float[] w, int wOff,
                                      int n) {
        int j = 0;
        for (; j <= n - LANES; j += LANES) { // lane-wise the same IEEE operations; sqrtf == (float) sqrt((double) f)
            FloatVector xv = FloatVector.fromArray(FS, x, xOff + j);
            FloatVector root = xv.mul(xv).add(sigma2).sqrt();
            FloatVector.fromArray(FS, qw, qwOff + j).mul(root).intoArray(w, wOff + j);
        }
        for (; j < n; j++) {
            float xj = x[xOff + j];
            w[wOff + j] = qw[qwOff + j] * (float) Math.sqrt(sigma2 + xj * xj);
        }
    }

    /**
     * {@code make_qx_quants(n, nmax, x, L, rmse_type=1, qw)}: symmetric signed codes {@code L = l + nmax} in
     * {@code [0, 2*nmax)}. Weights are {@code qw[qwOff+i]}, or {@code x*x} when {@code qw} is null.
     *
     * <p>The 18 trial scales do not depend on each other, so their sums are computed side by side, one trial per
     * vector lane, each lane with ggml's own operations in ggml's order; the choice among them is then made
     * sequentially in ggml's order, and the codes of the chosen trial are recomputed.
     *
     * @return the scale (negative when the largest-magnitude value is positive)
     */
    public static float makeQxQuants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff, float[] qw, int qwOff,
                                     SearchScratch sc) {
        float max = signedAbsMax(x, xOff, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0f;
        }
        float iscale = (float) (-nmax) / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Rounding.clamp(Rounding.nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = (byte) (l + nmax);
            float w = qw != null ? qw[qwOff + i] : xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        float bestIscale = 0;
        boolean won = false;
        // trials is = -9..-1, 1..9 as trial t = 0..17 (is = t - 9, or t - 8 from t = 9 on)
        for (int t0 = 0; t0 < 18; t0 += LANES) {
            int lanes = Math.min(LANES, 18 - t0);
            for (int k = 0; k < LANES; k++) {
                int t = t0 + Math.min(k, lanes - 1);
                int is = t < 9 ? t - 9 : t - 8;
                sc.iscale[k] = -((float) nmax + 0.1f * is) / max;
            }
            FloatVector isv = FloatVector.fromArray(FS, sc.iscale, 0);
            FloatVector vlx = FloatVector.zero(FS);
            FloatVector vl2 = FloatVector.zero(FS);
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float w = qw != null ? qw[qwOff + i] : xi * xi;
                FloatVector l = codes(isv.mul(xi), -nmax, nmax - 1);
                vlx = vlx.add(l.mul(w * xi));
                vl2 = vl2.add(l.mul(w).mul(l));
            }
            vlx.intoArray(sc.scale, 0);
            vl2.intoArray(sc.det, 0);
            for (int k = 0; k < lanes; k++) {
                float lx = sc.scale[k];
                float l2 = sc.det[k];
                if (l2 > 0 && lx * lx > best * l2) {
                    scale = lx / l2;
                    best = scale * lx;
                    bestIscale = sc.iscale[k];
                    won = true;
                }
            }
        }
        if (won) {
            for (int i = 0; i < n; i++) {
                int l = Rounding.clamp(Rounding.nearestInt(bestIscale * x[xOff + i]), -nmax, nmax - 1);
                L[lOff + i] = (byte) (nmax + l);
            }
        }
        return scale;
    }

    /** {@code clamp(nearest_int(v), lo, hi)} in every lane, as floats. */
    private static FloatVector codes(FloatVector v, int lo, int hi) {
        IntVector l = Rounding.nearestInt(v).max(lo).min(hi);
        return (FloatVector) l.convert(VectorOperators.I2F, 0);
    }

    /**
     * {@code make_q3_quants(n, nmax, x, L, do_rmse=true)}: the Q3_K reference search with iterative
     * per-element refinement (weights {@code x*x}). Codes are {@code l + nmax}; an all-zero input gives codes 0.
     */
    public static float makeQ3Quants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff) {
        float max = signedAbsMax(x, xOff, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0f;
        }
        float iscale = (float) (-nmax) / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Rounding.clamp(Rounding.nearestInt(iscale * xi), -nmax, nmax - 1);
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
                    int newL = Rounding.clamp(Rounding.nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
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
     * ({@code value ~ scale*L - theMin}). Weights {@code w[wOff+i]} are required; {@code n} is at most
     * {@link SearchScratch#MAX_N}.
     *
     * @param minOut  receives {@code the_min} at index {@code minIdx}
     * @return the scale
     */
    public static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] w, int wOff, byte[] L, int lOff,
                                       float[] minOut, int minIdx, SearchScratch sc,
                                       float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx(false, n, nmax, x, xOff, w, wOff, L, lOff, minOut, minIdx, sc, rmin, rdelta, nstep, useMad);
    }

    /**
     * {@code make_qkx3_quants}: as {@link #makeQkx2Quants} but an empty range is {@code max <= min} and a null
     * {@code w} means weights {@code x*x}.
     */
    public static float makeQkx3Quants(int n, int nmax, float[] x, int xOff, float[] w, int wOff, byte[] L, int lOff,
                                       float[] minOut, int minIdx, SearchScratch sc,
                                       float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx(true, n, nmax, x, xOff, w, wOff, L, lOff, minOut, minIdx, sc, rmin, rdelta, nstep, useMad);
    }

    private static float weight(float[] w, int wOff, int i, float xi) {
        return w != null ? w[wOff + i] : xi * xi;
    }

    /**
     * The trials {@code is = 0..nstep} are evaluated side by side, one per vector lane, each lane with ggml's
     * operations in ggml's order. They are independent except through {@code min}, which ggml replaces by the
     * winning trial's minimum: the sequential selection therefore stops at a win that changes {@code min}, and the
     * trials after it are evaluated again with the new value, exactly as ggml's loop sees them.
     */
    private static float makeQkx(boolean qkx3, int n, int nmax, float[] x, int xOff, float[] w, int wOff,
                                 byte[] L, int lOff, float[] minOut, int minIdx, SearchScratch sc,
                                 float rmin, float rdelta, int nstep, boolean useMad) {
        if (n < 1 || n > SearchScratch.MAX_N) {
            throw new IllegalArgumentException("make_qkx: group of " + n + " values (1.." + SearchScratch.MAX_N + ")");
        }
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
            int l = Rounding.clamp(Rounding.nearestInt(iscale * (xi - min)), 0, nmax);
            L[lOff + i] = (byte) l;
            float diff = scale * l + min - xi;
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weight(w, wOff, i, xi) * diff;
        }
        if (nstep < 1) {
            minOut[minIdx] = -min;
            return scale;
        }
        float bestIscale = 0;
        float bestMinUsed = 0;
        boolean won = false;
        int is0 = 0;
        while (is0 <= nstep) {
            int lanes = Math.min(LANES, nstep + 1 - is0);
            for (int k = 0; k < LANES; k++) {
                int is = is0 + Math.min(k, lanes - 1);
                sc.iscale[k] = (rmin + rdelta * is + nmax) / (max - min);
            }
            FloatVector isv = FloatVector.fromArray(FS, sc.iscale, 0);
            FloatVector vL = FloatVector.zero(FS);
            FloatVector vL2 = FloatVector.zero(FS);
            FloatVector vXL = FloatVector.zero(FS);
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float wi = weight(w, wOff, i, xi);
                FloatVector l = codes(isv.mul(xi - min), 0, nmax);
                l.intoArray(sc.codes, i * LANES);
                FloatVector wl = l.mul(wi);
                vL = vL.add(wl);
                vL2 = vL2.add(wl.mul(l));
                vXL = vXL.add(wl.mul(xi));
            }
            FloatVector vW = FloatVector.broadcast(FS, sumW);
            FloatVector vX = FloatVector.broadcast(FS, sumX);
            FloatVector det = vW.mul(vL2).sub(vL.mul(vL));
            FloatVector thisScale = vW.mul(vXL).sub(vX.mul(vL)).div(det);
            FloatVector thisMin = vL2.mul(vX).sub(vL.mul(vXL)).div(det);
            VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0f);
            thisMin = thisMin.blend(0f, positive);
            thisScale = thisScale.blend(vXL.div(vL2), positive);
            FloatVector err = FloatVector.zero(FS);
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float wi = weight(w, wOff, i, xi);
                FloatVector l = FloatVector.fromArray(FS, sc.codes, i * LANES);
                FloatVector diff = thisScale.mul(l).add(thisMin).sub(xi);
                diff = useMad ? diff.abs() : diff.mul(diff);
                err = err.add(diff.mul(wi));
            }
            det.intoArray(sc.det, 0);
            thisScale.intoArray(sc.scale, 0);
            thisMin.intoArray(sc.min, 0);
            err.intoArray(sc.err, 0);
            int next = is0 + lanes;
            for (int k = 0; k < lanes; k++) {
                if (sc.det[k] > 0 && sc.err[k] < bestError) {
                    bestError = sc.err[k];
                    scale = sc.scale[k];
                    bestIscale = sc.iscale[k];
                    bestMinUsed = min;
                    won = true;
                    boolean minChanged = Float.floatToRawIntBits(sc.min[k]) != Float.floatToRawIntBits(min);
                    min = sc.min[k];
                    if (minChanged) {
                        next = is0 + k + 1;
                        break;
                    }
                }
            }
            is0 = next;
        }
        if (won) {
            for (int i = 0; i < n; i++) {
                int l = Rounding.clamp(Rounding.nearestInt(bestIscale * (x[xOff + i] - bestMinUsed)), 0, nmax);
                L[lOff + i] = (byte) l;
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
        for (int i = 0; i < n; i++) L[lOff + i] = (byte) Rounding.nearestInt(iscale * x[xOff + i]);
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
                int l = Math.min(nmax, Rounding.nearestInt(iscaleIs * xi));
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
            int l = Math.min(nmax, Rounding.nearestInt(iscale * xi));
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
                    int newL = Math.min(nmax, Rounding.nearestInt(xi * sl2 / slx));
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
}
