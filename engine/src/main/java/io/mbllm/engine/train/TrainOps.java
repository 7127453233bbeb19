package io.mbllm.engine.train;

/**
 * The element- and row-wise operations of the training forward pass with their hand-written backward passes,
 * on float32 runs at offsets. Each backward <em>adds</em> its input gradient to the destination unless said
 * otherwise, so that residual branches can share one gradient buffer. Reductions are kept in double. Each pair is
 * checked against central differences of the forward (in double) by {@code TrainOpsGradientTest}.
 */
final class TrainOps {
    private TrainOps() {}

    // ---- RMSNorm: y = (x · r) ⊙ w, r = 1 / sqrt(mean(x²) + eps)

    /** Forward of one row; returns r (kept for the backward). */
    static float rmsNorm(float[] x, int xo, float[] w, float[] y, int yo, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            sum += (double) (v * v);
        }
        float r = 1.0f / (float) Math.sqrt((float) (sum / n) + eps);
        for (int i = 0; i < n; i++) y[yo + i] = (x[xo + i] * r) * w[i];
        return r;
    }

    /** {@code dx += r·(w⊙dy) − (r³/n)·x·Σ(w⊙dy⊙x)}. */
    static void rmsNormBackward(float[] x, int xo, float[] w, float r, float[] dy, int dyo, float[] dx, int dxo, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) dot += (double) w[i] * dy[dyo + i] * x[xo + i];
        double c = (double) r * r * r * dot / n;
        for (int i = 0; i < n; i++) dx[dxo + i] += (float) ((double) r * w[i] * dy[dyo + i] - c * x[xo + i]);
    }

    // ---- LayerNorm: y = (x − μ)·r ⊙ w + b, r = 1 / sqrt(var + eps)

    /** Forward of one row; writes μ and r to {@code stats[so]}, {@code stats[so+1]}. {@code b} may be null. */
    static void layerNorm(float[] x, int xo, float[] w, float[] b, float[] y, int yo, int n, float eps, float[] stats, int so) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xo + i];
        float mean = (float) (sum / n);
        double sum2 = 0;
        for (int i = 0; i < n; i++) {
            float d = x[xo + i] - mean;
            sum2 += (double) (d * d);
        }
        float r = 1.0f / (float) Math.sqrt((float) (sum2 / n) + eps);
        for (int i = 0; i < n; i++) {
            float v = ((x[xo + i] - mean) * r) * w[i];
            y[yo + i] = b == null ? v : v + b[i];
        }
        stats[so] = mean;
        stats[so + 1] = r;
    }

    /** {@code dx += r·(g − mean(g) − x̂·mean(g⊙x̂))} with {@code g = w⊙dy}, {@code x̂ = (x − μ)·r}. */
    static void layerNormBackward(float[] x, int xo, float[] w, float mean, float r, float[] dy, int dyo,
                                  float[] dx, int dxo, int n) {
        double sg = 0, sgx = 0;
        for (int i = 0; i < n; i++) {
            double g = (double) w[i] * dy[dyo + i];
            double xh = ((double) x[xo + i] - mean) * r;
            sg += g;
            sgx += g * xh;
        }
        sg /= n;
        sgx /= n;
        for (int i = 0; i < n; i++) {
            double g = (double) w[i] * dy[dyo + i];
            double xh = ((double) x[xo + i] - mean) * r;
            dx[dxo + i] += (float) (r * (g - sg - xh * sgx));
        }
    }

    // ---- RoPE on one head: rotate pairs (2i, 2i+1) (normal) or (i, i + nRot/2) (neox), i < nRot/2

    /** Rotates {@code x[off ..]} by the angles whose cos/sin start at {@code cos[ao]}, {@code sin[ao]}. */
    static void rope(float[] x, int off, float[] cos, float[] sin, int ao, int nRot, boolean neox) {
        rotate(x, off, cos, sin, ao, nRot, neox, 1f);
    }

    /** The backward of {@link #rope} in place: the transpose of a rotation is the rotation by the opposite angle. */
    static void ropeBackward(float[] dx, int off, float[] cos, float[] sin, int ao, int nRot, boolean neox) {
        rotate(dx, off, cos, sin, ao, nRot, neox, -1f);
    }

    private static void rotate(float[] x, int off, float[] cos, float[] sin, int ao, int nRot, boolean neox, float sign) {
        int half = nRot / 2;
        for (int i = 0; i < half; i++) {
            int i0 = neox ? off + i : off + 2 * i;
            int i1 = neox ? i0 + half : i0 + 1;
            float c = cos[ao + i], s = sign * sin[ao + i];
            float a = x[i0], b = x[i1];
            x[i0] = a * c - b * s;
            x[i1] = a * s + b * c;
        }
    }

    // ---- SwiGLU: a = silu(g) ⊙ u, silu(g) = g·σ(g)

    static float sigmoid(float g) {
        return (float) (1.0 / (1.0 + Math.exp(-g)));
    }

    static void swiglu(float[] g, float[] u, float[] a, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float s = sigmoid(g[i]);
            a[i] = (g[i] * s) * u[i];
        }
    }

    /** Writes (does not add) {@code dg = da·u·σ(g)(1 + g(1 − σ(g)))} and {@code du = da·silu(g)}. */
    static void swigluBackward(float[] g, float[] u, float[] da, float[] dg, float[] du, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float s = sigmoid(g[i]);
            float gi = g[i];
            dg[i] = da[i] * u[i] * (s * (1f + gi * (1f - s)));
            du[i] = da[i] * (gi * s);
        }
    }

    // ---- causal attention of one query head over one sequence

    /**
     * {@code out_t = Σ_{s≤t} softmax_s(scale·q_t·k_s) v_s} for {@code t < len}. Row t of q/k/v/out starts at
     * {@code off + t·stride} of its array. {@code scratch} holds at least {@code len} floats.
     */
    static void attention(float[] q, int qo, int qs, float[] k, int ko, int ks, float[] v, int vo, int vs,
                          float[] out, int oo, int os, int len, int hdK, int hdV, float scale, float[] scratch) {
        for (int t = 0; t < len; t++) {
            probabilities(q, qo + t * qs, k, ko, ks, t + 1, hdK, scale, scratch);
            int o = oo + t * os;
            for (int i = 0; i < hdV; i++) out[o + i] = 0f;
            for (int s = 0; s <= t; s++) FloatMath.axpy(scratch[s], v, vo + s * vs, out, o, hdV);
        }
    }

    /** Softmax of {@code scale·q·k_s} over {@code s < n} into {@code p[0..n)}. */
    private static void probabilities(float[] q, int qo, float[] k, int ko, int ks, int n, int hd, float scale, float[] p) {
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s < n; s++) {
            float sc = FloatMath.dot(q, qo, k, ko + s * ks, hd) * scale;
            p[s] = sc;
            max = Math.max(max, sc);
        }
        double sum = 0;
        for (int s = 0; s < n; s++) {
            float e = (float) Math.exp(p[s] - max);
            p[s] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int s = 0; s < n; s++) p[s] *= inv;
    }

    /**
     * Backward of {@link #attention}: recomputes the probabilities P row by row, then adds
     * {@code dq_t += scale·Σ_s dS_ts k_s}, {@code dk_s += scale·Σ_t dS_ts q_t}, {@code dv_s += Σ_t P_ts do_t}
     * with {@code dS = P ⊙ (dP − rowsum(P ⊙ dP))}, {@code dP_ts = do_t·v_s}. {@code scratch} holds 2·len floats.
     */
    static void attentionBackward(float[] q, int qo, int qs, float[] k, int ko, int ks, float[] v, int vo, int vs,
                                  float[] dout, int doo, int dos, float[] dq, float[] dk, float[] dv,
                                  int len, int hdK, int hdV, float scale, float[] scratch) {
        for (int t = 0; t < len; t++) {
            int n = t + 1;
            probabilities(q, qo + t * qs, k, ko, ks, n, hdK, scale, scratch);
            int d = doo + t * dos;
            double rowSum = 0;
            for (int s = 0; s < n; s++) {
                float dp = FloatMath.dot(dout, d, v, vo + s * vs, hdV);
                scratch[len + s] = dp;
                rowSum += (double) scratch[s] * dp;
            }
            float rs = (float) rowSum;
            int qt = qo + t * qs;
            for (int s = 0; s < n; s++) {
                float p = scratch[s];
                float ds = p * (scratch[len + s] - rs) * scale;
                FloatMath.axpy(ds, k, ko + s * ks, dq, qt, hdK);
                FloatMath.axpy(ds, q, qt, dk, ko + s * ks, hdK);
                FloatMath.axpy(p, dout, d, dv, vo + s * vs, hdV);
            }
        }
    }

    // ---- the LoRA branch of a linear layer: y += s·B·(A·x), A (r × n_in) at p[aOff], B (n_out × r) at p[bOff]

    /** {@code ax[t] = A·x[t]} for {@code t < n} (rows of n_in in {@code x}, of r in {@code ax}). */
    static void loraDown(float[] p, int aOff, int r, int nIn, float[] x, int n, float[] ax) {
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < r; k++) ax[t * r + k] = FloatMath.dot(p, aOff + k * nIn, x, t * nIn, nIn);
        }
    }

    /** {@code out[t] += s·B·ax[t]} for {@code t < n}. */
    static void loraAdd(float[] p, int bOff, int r, int nOut, float s, float[] ax, int n, float[] out) {
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < nOut; o++) out[t * nOut + o] += s * FloatMath.dot(p, bOff + o * r, ax, t * r, r);
        }
    }

    /**
     * Backward of the LoRA branch given {@code dy} (rows of n_out): adds {@code s·dyᵀ·ax} to dB,
     * {@code s·(B^T·dy)ᵀ·x} to dA (in {@code grad}, same offsets as {@code p}) and {@code s·Aᵀ·(Bᵀ·dy)} to
     * {@code dIn}. {@code bdy} is scratch of {@code n·r} floats, {@code acc} of {@code n_out·r} doubles.
     */
    static void loraBackward(float[] p, int aOff, int bOff, int r, int nIn, int nOut, float s, float[] x, float[] ax,
                             float[] dy, int n, float[] bdy, double[] acc, float[] grad, float[] dIn) {
        java.util.Arrays.fill(acc, 0, nOut * r, 0.0);
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < nOut; o++) {
                double d = dy[t * nOut + o];
                if (d == 0) continue;
                for (int k = 0; k < r; k++) acc[o * r + k] += d * ax[t * r + k];
            }
        }
        for (int i = 0; i < nOut * r; i++) grad[bOff + i] += (float) (s * acc[i]);
        java.util.Arrays.fill(bdy, 0, n * r, 0f);
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < nOut; o++) {
                float d = dy[t * nOut + o];
                if (d != 0f) FloatMath.axpy(d, p, bOff + o * r, bdy, t * r, r);
            }
        }
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < r; k++) {
                float c = s * bdy[t * r + k];
                if (c == 0f) continue;
                FloatMath.axpy(c, x, t * nIn, grad, aOff + k * nIn, nIn);
                FloatMath.axpy(c, p, aOff + k * nIn, dIn, t * nIn, nIn);
            }
        }
    }
}
