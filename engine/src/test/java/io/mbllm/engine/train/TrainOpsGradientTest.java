package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * Finite-difference check of every backward op of the trainer: each op's float32 analytic gradient (its
 * hand-written backward applied to a random upstream gradient c) against central differences
 * {@code (L(θ+h) − L(θ−h)) / 2h}, h = 1e-4, of {@code L = Σ c·op(θ)} evaluated by a double-precision forward of the
 * same op (as the reference README suggests: finite differences are only meaningful in double). The bound is on
 * {@code ‖g_analytic − g_fd‖ / ‖g_fd‖}.
 */
class TrainOpsGradientTest {
    static final double H = 1e-4;
    /** float32 analytic vs double FD: float rounding of the analytic gradient dominates (~1e-7). */
    static final double TOL = 1e-6;
    static final Random RND = new Random(12345);
    static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static float[] gauss(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (RND.nextGaussian() * scale);
        return a;
    }

    static double[] d(float[] a) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }

    /** Central differences of {@code f} at {@code x}. */
    static double[] fd(ToDoubleFunction<double[]> f, double[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + H;
            double up = f.applyAsDouble(x);
            x[i] = keep - H;
            double down = f.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * H);
        }
        return g;
    }

    static void check(String name, float[] analytic, double[] numeric) {
        double num = 0, den = 0;
        for (int i = 0; i < numeric.length; i++) {
            num += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            den += numeric[i] * numeric[i];
        }
        double rel = Math.sqrt(num / den);
        System.out.printf("gradcheck %-22s rel %.2e (|g| %.3g)%n", name, rel, Math.sqrt(den));
        assertTrue(den > 0, name + ": zero gradient checks nothing");
        assertTrue(rel <= TOL, name + ": relative error " + rel);
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] o = new float[n];
        int k = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, o, k, p.length);
            k += p.length;
        }
        return o;
    }

    @Test
    void rmsNorm() {
        int n = 24;
        float eps = 1e-5f;
        float[] x = gauss(n, 1), w = gauss(n, 1), c = gauss(n, 1), y = new float[n], dx = new float[n];
        float r = TrainOps.rmsNorm(x, 0, w, y, 0, n, eps);
        TrainOps.rmsNormBackward(x, 0, w, r, c, 0, dx, 0, n);
        check("rmsnorm", dx, fd(xd -> {
            double s = 0;
            for (double v : xd) s += v * v;
            double rr = 1 / Math.sqrt(s / n + eps), l = 0;
            for (int i = 0; i < n; i++) l += c[i] * xd[i] * rr * w[i];
            return l;
        }, d(x)));
    }

    @Test
    void layerNorm() {
        int n = 24;
        float eps = 1e-5f;
        float[] x = gauss(n, 1), w = gauss(n, 1), b = gauss(n, 1), c = gauss(n, 1), y = new float[n], dx = new float[n], st = new float[2];
        for (int i = 0; i < n; i++) x[i] += 0.7f;
        TrainOps.layerNorm(x, 0, w, b, y, 0, n, eps, st, 0);
        TrainOps.layerNormBackward(x, 0, w, st[0], st[1], c, 0, dx, 0, n);
        check("layernorm", dx, fd(xd -> {
            double mu = 0, var = 0, l = 0;
            for (double v : xd) mu += v;
            mu /= n;
            for (double v : xd) var += (v - mu) * (v - mu);
            double rr = 1 / Math.sqrt(var / n + eps);
            for (int i = 0; i < n; i++) l += c[i] * ((xd[i] - mu) * rr * w[i] + b[i]);
            return l;
        }, d(x)));
    }

    @Test
    void ropeNormalAndNeoxPartial() {
        for (boolean neox : new boolean[] {false, true}) {
            int hd = 10, nRot = neox ? 6 : 10, half = nRot / 2;
            float[] cos = new float[half], sin = new float[half];
            for (int i = 0; i < half; i++) {
                double th = 5 * Math.pow(10000, -2.0 * i / nRot);
                cos[i] = (float) Math.cos(th);
                sin[i] = (float) Math.sin(th);
            }
            float[] x = gauss(hd, 1), c = gauss(hd, 1), y = x.clone(), dx = c.clone();
            TrainOps.rope(y, 0, cos, sin, 0, nRot, neox);
            TrainOps.ropeBackward(dx, 0, cos, sin, 0, nRot, neox);
            check("rope " + (neox ? "neox 6/10" : "normal"), dx, fd(xd -> {
                double[] yy = xd.clone();
                for (int i = 0; i < half; i++) {
                    int i0 = neox ? i : 2 * i, i1 = neox ? i + half : 2 * i + 1;
                    yy[i0] = xd[i0] * cos[i] - xd[i1] * sin[i];
                    yy[i1] = xd[i0] * sin[i] + xd[i1] * cos[i];
                }
                double l = 0;
                for (int i = 0; i < hd; i++) l += c[i] * yy[i];
                return l;
            }, d(x)));
        }
    }

    @Test
    void swiglu() {
        int n = 20;
        float[] g = gauss(n, 2), u = gauss(n, 1), c = gauss(n, 1), a = new float[n], dg = new float[n], du = new float[n];
        TrainOps.swiglu(g, u, a, 0, n);
        TrainOps.swigluBackward(g, u, c, dg, du, 0, n);
        check("swiglu", concat(dg, du), fd(v -> {
            double l = 0;
            for (int i = 0; i < n; i++) l += c[i] * v[i] / (1 + Math.exp(-v[i])) * v[n + i];
            return l;
        }, d(concat(g, u))));
    }

    @Test
    void causalAttention() {
        int len = 6, hdK = 4, hdV = 3;
        float scale = (float) (1 / Math.sqrt(hdK));
        float[] q = gauss(len * hdK, 1), k = gauss(len * hdK, 1), v = gauss(len * hdV, 1), c = gauss(len * hdV, 1);
        float[] out = new float[len * hdV], dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        float[] scratch = new float[2 * len];
        TrainOps.attention(q, 0, hdK, k, 0, hdK, v, 0, hdV, out, 0, hdV, len, hdK, hdV, scale, scratch);
        TrainOps.attentionBackward(q, 0, hdK, k, 0, hdK, v, 0, hdV, c, 0, hdV, dq, dk, dv, len, hdK, hdV, scale, scratch);
        int nq = q.length, nk = k.length;
        check("attention (q, k, v)", concat(dq, dk, dv), fd(x -> {
            double l = 0;
            for (int t = 0; t < len; t++) {
                double[] p = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int s = 0; s <= t; s++) {
                    double sc = 0;
                    for (int i = 0; i < hdK; i++) sc += x[t * hdK + i] * x[nq + s * hdK + i];
                    p[s] = sc * scale;
                    max = Math.max(max, p[s]);
                }
                for (int s = 0; s <= t; s++) sum += p[s] = Math.exp(p[s] - max);
                for (int j = 0; j < hdV; j++) {
                    double o = 0;
                    for (int s = 0; s <= t; s++) o += p[s] / sum * x[nq + nk + s * hdV + j];
                    l += c[t * hdV + j] * o;
                }
            }
            return l;
        }, d(concat(q, k, v))));
    }

    @Test
    void loraBranch() {
        int r = 3, nIn = 10, nOut = 7, n = 4;
        float s = 2f;
        float[] p = gauss(r * nIn + nOut * r, 0.5), x = gauss(n * nIn, 1), c = gauss(n * nOut, 1);
        float[] ax = new float[n * r], out = new float[n * nOut], grad = new float[p.length], dIn = new float[x.length];
        int aOff = 0, bOff = r * nIn;
        TrainOps.loraDown(p, aOff, r, nIn, x, n, ax);
        TrainOps.loraAdd(p, bOff, r, nOut, s, ax, n, out);
        TrainOps.loraBackward(p, aOff, bOff, r, nIn, nOut, s, x, ax, c, n, new float[n * r], new double[nOut * r], grad, dIn);
        int np = p.length;
        check("lora (A, B, x)", concat(grad, dIn), fd(v -> {
            double l = 0;
            for (int t = 0; t < n; t++) {
                double[] a = new double[r];
                for (int k = 0; k < r; k++) for (int i = 0; i < nIn; i++) a[k] += v[aOff + k * nIn + i] * v[np + t * nIn + i];
                for (int o = 0; o < nOut; o++) {
                    double y = 0;
                    for (int k = 0; k < r; k++) y += v[bOff + o * r + k] * a[k];
                    l += c[t * nOut + o] * s * y;
                }
            }
            return l;
        }, d(concat(p, x))));
    }

    @Test
    void crossEntropy() {
        int nv = 17;
        float[] z = gauss(nv, 2);
        TrainBatch b = new TrainBatch(new int[] {0}, new int[] {5}, new int[] {0}, new int[] {1});
        float[] g = z.clone();
        CrossEntropyLoss.INSTANCE.lossAndGradient(b, 0, g, 0, nv, 1f);
        check("cross-entropy", g, fd(v -> {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double x : v) max = Math.max(max, x);
            for (double x : v) sum += Math.exp(x - max);
            return max + Math.log(sum) - v[5];
        }, d(z)));
    }

    @Test
    void frozenLinearF32AndQ4_0() {
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.Q4_0}) {
            int nIn = 64, nOut = 37, n = 3;
            QuantCodec codec = QuantTypes.codec(type);
            float[] wf = gauss(nIn * nOut, 0.3);
            long rb = type.rowBytes(nIn);
            byte[] raw = new byte[(int) (rb * nOut)];
            for (int o = 0; o < nOut; o++) codec.quantizeRow(wf, o * nIn, null, 0, nIn, raw, (int) (o * rb));
            MemorySegment seg = MemorySegment.ofArray(raw);
            float[] wd = new float[wf.length]; // the stored weights as ggml dequantizes them
            for (int o = 0; o < nOut; o++) codec.dequantizeRow(seg, o * rb, wd, o * nIn, nIn);
            FrozenLinear f = new FrozenLinear(new WeightMatrix("w", type, seg, nIn, nOut));
            float[] x = gauss(n * nIn, 1), c = gauss(n * nOut, 1), y = new float[n * nOut], dx = new float[x.length];
            f.forward(POOL, x, 0, n, y, 0);
            double maxDiff = 0;
            for (int t = 0; t < n; t++) {
                for (int o = 0; o < nOut; o++) {
                    double want = 0;
                    for (int i = 0; i < nIn; i++) want += (double) wd[o * nIn + i] * x[t * nIn + i];
                    maxDiff = Math.max(maxDiff, Math.abs(want - y[t * nOut + o]));
                }
            }
            assertTrue(maxDiff < 1e-5, type + " forward " + maxDiff);
            f.backwardInput(POOL, c, 0, n, dx, 0);
            check("frozen linear " + type.ggmlName(), dx, fd(v -> {
                double l = 0;
                for (int t = 0; t < n; t++) {
                    for (int o = 0; o < nOut; o++) {
                        double yy = 0;
                        for (int i = 0; i < nIn; i++) yy += wd[o * nIn + i] * v[t * nIn + i];
                        l += c[t * nOut + o] * yy;
                    }
                }
                return l;
            }, d(x)));
        }
    }
}
