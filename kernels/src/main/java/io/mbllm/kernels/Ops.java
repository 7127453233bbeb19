package io.mbllm.kernels;

/**
 * Elementwise and row-wise float32 operations of a transformer forward pass: norms, activations, softmax,
 * dot products. Every method works in place on caller-owned arrays at an offset and allocates nothing.
 * Reductions follow ggml's CPU ops where it matters for exactness (norm sums in double, softmax in float with
 * the maximum subtracted).
 */
public final class Ops {
    private Ops() {}

    /**
     * RMSNorm: {@code out[i] = x[i] / sqrt(mean(x²) + eps) * w[i]} (ggml {@code rms_norm} then multiply). The
     * sum of squares is accumulated in double as ggml does. {@code w} may be {@code null} (no weight).
     */
    public static void rmsNorm(float[] x, int xOff, float[] w, int wOff, float[] out, int outOff, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            sum += (double) (v * v);
        }
        float mean = (float) (sum / n);
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        if (w == null) {
            for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * scale;
        } else {
            for (int i = 0; i < n; i++) out[outOff + i] = (x[xOff + i] * scale) * w[wOff + i];
        }
    }

    /**
     * LayerNorm: {@code out[i] = (x[i] - mean) / sqrt(var + eps) * w[i] + b[i]} (ggml {@code norm}, then
     * multiply and add), in the order of ggml-cpu's {@code ggml_compute_forward_norm_f32} on an AVX-512 build:
     * the sum in double rounded to float, then divided by {@code n} in float; the variance as
     * {@code ggml_vec_cvar_f32}: per 16 elements the float squares summed by {@link #reduce16}, those sums
     * added in double, the tail element by element. {@code w} and {@code b} may be {@code null}.
     */
    public static void layerNorm(float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                                 float[] out, int outOff, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xOff + i];
        float mean = (float) sum / (float) n;
        double sum2 = 0;
        int i = 0;
        for (; i + 15 < n; i += 16) {
            for (int k = 0; k < 16; k++) out[outOff + i + k] = x[xOff + i + k] - mean;
            sum2 += reduce16(out, outOff + i);
        }
        for (; i < n; i++) {
            float d = x[xOff + i] - mean;
            out[outOff + i] = d;
            sum2 += d * d;
        }
        float variance = (float) (sum2 / n);
        float scale = 1.0f / (float) Math.sqrt(variance + eps);
        for (int j = 0; j < n; j++) {
            float v = out[outOff + j] * scale;
            if (w != null) v *= w[wOff + j];
            if (b != null) v += b[bOff + j];
            out[outOff + j] = v;
        }
    }

    /**
     * The float sum of the squares of {@code a[off .. off+16)} as GCC's {@code _mm512_reduce_add_ps} forms it
     * (avx512fintrin.h): halves added (lane i + lane i+8), then again (i + i+4), then lanes (0+2) and (1+3),
     * then those two.
     */
    static float reduce16(float[] a, int off) {
        float c0 = sq8(a, off, 0), c1 = sq8(a, off, 1), c2 = sq8(a, off, 2), c3 = sq8(a, off, 3);
        return (c0 + c2) + (c1 + c3);
    }

    /** Lane {@code m < 4} after two halvings: (p[m] + p[m+8]) + (p[m+4] + p[m+12]) with p the squares. */
    private static float sq8(float[] a, int off, int m) {
        float p0 = a[off + m] * a[off + m], p4 = a[off + m + 4] * a[off + m + 4];
        float p8 = a[off + m + 8] * a[off + m + 8], p12 = a[off + m + 12] * a[off + m + 12];
        return (p0 + p8) + (p4 + p12);
    }

    /** SiLU (swish): {@code x / (1 + e^-x)}. */
    public static float silu(float x) {
        if (GGML_SILU) return x / (1.0f + ggmlExpf(-x));
        return x / (1.0f + (float) Math.exp(-x));
    }

    /** {@link ExactMode#SILU}: SiLU through ggml's AVX-512 vector expf, as llama.cpp's x86 build computes it. */
    private static final boolean GGML_SILU = ExactMode.SILU;

    /** Scalar replica of ggml's AVX-512 {@code ggml_v_expf} (ggml-cpu/vec.h): polynomial on a 2^n split. */
    static float ggmlExpf(float x) {
        final float r = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, r);
        float n = z - r;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        float u = b * b;
        float j = Math.fma(
                Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                u, Math.fma(0x1.ffffecp-1f, b, 1.0f));
        if (Math.abs(n) > 192) return n <= 0 ? 0f : Float.POSITIVE_INFINITY;
        return Math.scalb(j, (int) n);
    }

    /** SwiGLU: {@code out[i] = silu(gate[i]) * up[i]}. {@code out} may alias {@code gate}. */
    public static void swiglu(float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) out[outOff + i] = silu(gate[gateOff + i]) * up[upOff + i];
    }

    /** In-place softmax of {@code a[off .. off+n)}. */
    public static void softmax(float[] a, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, a[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(a[off + i] - max);
            a[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) a[off + i] *= inv;
    }

    /** Dot product of two float runs. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** {@code y[i] += a * x[i]}. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += a * x[xOff + i];
    }

    /** {@code y[i] += x[i]}. */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** Adds {@code bias} (length {@code n}) to each of {@code rows} consecutive rows of {@code y}. */
    public static void addBias(float[] bias, float[] y, int rows, int n) {
        for (int r = 0; r < rows; r++) add(bias, 0, y, r * n, n);
    }

    /** Index of the largest value in {@code a[off .. off+n)}; ties go to the lower index. */
    public static int argmax(float[] a, int off, int n) {
        int best = 0;
        float bestV = a[off];
        for (int i = 1; i < n; i++) {
            if (a[off + i] > bestV) {
                bestV = a[off + i];
                best = i;
            }
        }
        return best;
    }
}
