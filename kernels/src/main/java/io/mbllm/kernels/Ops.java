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
     * multiply and add). Mean and variance are accumulated in double. {@code w} and {@code b} may be
     * {@code null}.
     */
    public static void layerNorm(float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                                 float[] out, int outOff, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xOff + i];
        float mean = (float) (sum / n);
        double sum2 = 0;
        for (int i = 0; i < n; i++) {
            float d = x[xOff + i] - mean;
            out[outOff + i] = d;
            sum2 += (double) (d * d);
        }
        float variance = (float) (sum2 / n);
        float scale = 1.0f / (float) Math.sqrt(variance + eps);
        for (int i = 0; i < n; i++) {
            float v = out[outOff + i] * scale;
            if (w != null) v *= w[wOff + i];
            if (b != null) v += b[bOff + i];
            out[outOff + i] = v;
        }
    }

    /** SiLU (swish): {@code x / (1 + e^-x)}. */
    public static float silu(float x) {
        if (GGML_SILU) return x / (1.0f + ggmlExpf(-x));
        return x / (1.0f + (float) Math.exp(-x));
    }

    /** Experimental switch {@code -Dmbllm.silu=ggml}: SiLU through ggml's AVX-512 vector expf (llama.cpp x86). */
    private static final boolean GGML_SILU = "ggml".equals(System.getProperty("mbllm.silu"));

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
