package io.mbllm.engine.model;

import java.util.Optional;

import io.mbllm.gguf.quant.QuantTypes;

/**
 * An independent, deliberately simple forward pass in double precision for the test models: it recomputes the
 * whole sequence without a cache, reads weights by dequantizing whole tensors, and uses the textbook forms of
 * RoPE (complex multiplication for NORM, HF "rotate_half" for NEOX). It shares no code with the engine beyond
 * the codecs and the metadata accessors of {@link ModelSource}.
 */
final class NaiveForward {
    private final ModelSource src;
    private final String arch;
    private final int nEmbd, nLayer, nHead, nHeadKv, hd, nRot, nFf;
    private final boolean rms;
    private final double eps, base, attnFactor;
    private final double[] factors;

    NaiveForward(ModelSource src, int numCtx) {
        this.src = src;
        this.arch = ((MetaValue.Text) src.meta("general.architecture").orElseThrow()).value();
        this.nEmbd = u32("embedding_length", -1);
        this.nLayer = u32("block_count", -1);
        this.nHead = u32("attention.head_count", -1);
        this.nHeadKv = u32("attention.head_count_kv", nHead);
        this.hd = u32("attention.key_length", nEmbd / nHead);
        this.nRot = u32("rope.dimension_count", hd);
        this.nFf = u32("feed_forward_length", -1);
        Optional<MetaValue> rmsEps = src.meta(arch + ".attention.layer_norm_rms_epsilon");
        this.rms = rmsEps.isPresent();
        this.eps = rms ? f32("attention.layer_norm_rms_epsilon", 0) : f32("attention.layer_norm_epsilon", 0);
        this.base = f32("rope.freq_base", 10000);
        this.attnFactor = f32("rope.scaling.attn_factor", 1);
        int origCtx = u32("rope.scaling.original_context_length", u32("context_length", -1));
        String factorName = src.tensor("rope_freqs.weight").isPresent() ? "rope_freqs.weight"
                : numCtx > origCtx ? "rope_factors_long.weight" : "rope_factors_short.weight";
        this.factors = src.tensor(factorName).map(t -> read(factorName)).orElse(null);
    }

    private int u32(String key, int dflt) {
        return src.meta(arch + "." + key).map(v -> ((MetaValue.Num) v).value().intValue()).orElse(dflt);
    }

    private double f32(String key, double dflt) {
        return src.meta(arch + "." + key).map(v -> ((MetaValue.Num) v).value().doubleValue()).orElse(dflt);
    }

    private boolean has(String name) {
        return src.tensor(name).isPresent();
    }

    private final java.util.Map<String, double[]> cache = new java.util.HashMap<>();

    /** The whole tensor as doubles, row-major (dequantized once). */
    private double[] read(String name) {
        double[] d = cache.get(name);
        if (d == null) cache.put(name, d = dequantize(name));
        return d;
    }

    private double[] dequantize(String name) {
        ModelSource.Tensor t = src.tensor(name).orElseThrow(() -> new AssertionError("missing " + name));
        int cols = (int) t.dim(0);
        long n = 1;
        for (long d : t.shape()) n *= d;
        int rows = (int) (n / cols);
        float[] f = new float[(int) n];
        long rb = t.type().rowBytes(cols);
        for (int r = 0; r < rows; r++) QuantTypes.codec(t.type()).dequantizeRow(t.data(), r * rb, f, r * cols, cols);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[] matvec(double[] w, double[] x) {
        int cols = x.length, rows = w.length / cols;
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
            y[r] = s;
        }
        return y;
    }

    private double[] linear(String name, double[] x) {
        double[] y = matvec(read(name + ".weight"), x);
        String b = name + ".bias";
        if (has(b)) {
            double[] bias = read(b);
            for (int i = 0; i < y.length; i++) y[i] += bias[i];
        }
        return y;
    }

    private double[] norm(double[] x, int off, int n, double[] w, int wOff, double[] b) {
        double[] y = new double[n];
        if (rms) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += x[off + i] * x[off + i];
            double inv = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) y[i] = x[off + i] * inv * w[wOff + i];
        } else {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[off + i];
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) var += (x[off + i] - mean) * (x[off + i] - mean);
            double inv = 1 / Math.sqrt(var / n + eps);
            for (int i = 0; i < n; i++) y[i] = (x[off + i] - mean) * inv * w[wOff + i] + (b == null ? 0 : b[i]);
        }
        return y;
    }

    private double[] norm(String name, double[] x) {
        return norm(x, 0, x.length, read(name + ".weight"), 0, has(name + ".bias") ? read(name + ".bias") : null);
    }

    private void rope(double[] v, int off, int pos) {
        int half = nRot / 2;
        double[] cos = new double[half], sin = new double[half];
        for (int i = 0; i < half; i++) {
            double theta = pos * Math.pow(base, -2.0 * i / nRot) / (factors == null ? 1 : factors[i]);
            cos[i] = Math.cos(theta) * attnFactor;
            sin[i] = Math.sin(theta) * attnFactor;
        }
        if (arch.equals("llama")) {
            for (int i = 0; i < half; i++) { // (re, im) * (cos + i sin)
                double re = v[off + 2 * i], im = v[off + 2 * i + 1];
                v[off + 2 * i] = re * cos[i] - im * sin[i];
                v[off + 2 * i + 1] = re * sin[i] + im * cos[i];
            }
        } else {
            double[] x = new double[nRot], rot = new double[nRot];
            System.arraycopy(v, off, x, 0, nRot);
            for (int j = 0; j < nRot; j++) rot[j] = j < half ? -x[j + half] : x[j - half];
            for (int j = 0; j < nRot; j++) v[off + j] = x[j] * cos[j % half] + rot[j] * sin[j % half];
        }
    }

    private static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** Logits for every position of {@code tokens}. */
    double[][] logits(int[] tokens) {
        int n = tokens.length;
        double[] embd = read("token_embd.weight");
        double[][] x = new double[n][nEmbd];
        for (int t = 0; t < n; t++) System.arraycopy(embd, tokens[t] * nEmbd, x[t], 0, nEmbd);
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            double[][] h = new double[n][], q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                h[t] = norm(p + "attn_norm", x[t]);
                if (has(p + "attn_qkv.weight")) {
                    double[] qkv = linear(p + "attn_qkv", h[t]);
                    q[t] = java.util.Arrays.copyOfRange(qkv, 0, nHead * hd);
                    k[t] = java.util.Arrays.copyOfRange(qkv, nHead * hd, (nHead + nHeadKv) * hd);
                    v[t] = java.util.Arrays.copyOfRange(qkv, (nHead + nHeadKv) * hd, (nHead + 2 * nHeadKv) * hd);
                } else {
                    q[t] = linear(p + "attn_q", h[t]);
                    k[t] = linear(p + "attn_k", h[t]);
                    v[t] = linear(p + "attn_v", h[t]);
                }
                if (has(p + "attn_q_norm.weight")) {
                    double[] qn = read(p + "attn_q_norm.weight"), kn = read(p + "attn_k_norm.weight");
                    for (int hh = 0; hh < nHead; hh++) {
                        double[] y = norm(q[t], hh * hd, hd, qn, qn.length == hd ? 0 : hh * hd, null);
                        System.arraycopy(y, 0, q[t], hh * hd, hd);
                    }
                    for (int hh = 0; hh < nHeadKv; hh++) {
                        double[] y = norm(k[t], hh * hd, hd, kn, kn.length == hd ? 0 : hh * hd, null);
                        System.arraycopy(y, 0, k[t], hh * hd, hd);
                    }
                }
                for (int hh = 0; hh < nHead; hh++) rope(q[t], hh * hd, t);
                for (int hh = 0; hh < nHeadKv; hh++) rope(k[t], hh * hd, t);
            }
            double[][] ffnIn = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] att = new double[nHead * hd];
                for (int hh = 0; hh < nHead; hh++) {
                    int kh = hh / (nHead / nHeadKv);
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) d += q[t][hh * hd + i] * k[j][kh * hd + i];
                        s[j] = d / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) att[hh * hd + i] += s[j] / sum * v[j][kh * hd + i];
                    }
                }
                double[] o = linear(p + "attn_output", att);
                for (int i = 0; i < nEmbd; i++) x[t][i] += o[i];
                ffnIn[t] = has(p + "ffn_norm.weight") ? norm(p + "ffn_norm", x[t]) : h[t];
            }
            for (int t = 0; t < n; t++) {
                double[] act = new double[nFf];
                if (has(p + "ffn_gate.weight")) {
                    double[] g = linear(p + "ffn_gate", ffnIn[t]), u = linear(p + "ffn_up", ffnIn[t]);
                    for (int i = 0; i < nFf; i++) act[i] = silu(g[i]) * u[i];
                } else {
                    double[] gu = linear(p + "ffn_up", ffnIn[t]);
                    for (int i = 0; i < nFf; i++) act[i] = silu(gu[i]) * gu[nFf + i];
                }
                double[] d = linear(p + "ffn_down", act);
                for (int i = 0; i < nEmbd; i++) x[t][i] += d[i];
            }
        }
        String out = has("output.weight") ? "output" : "token_embd";
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) logits[t] = linear(out, norm("output_norm", x[t]));
        return logits;
    }
}
