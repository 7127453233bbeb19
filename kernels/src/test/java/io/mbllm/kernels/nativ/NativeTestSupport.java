package io.mbllm.kernels.nativ;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.Half;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/** Test data and the availability rule shared by the native kernel tests. */
final class NativeTestSupport {
    private NativeTestSupport() {}

    /** The pool the native kernel tests share (two threads, as the benchmarks; daemon workers end with the JVM). */
    static final Parallel POOL = new Parallel(2);

    /** Every weight type with a reference dot product, in the brief's priority order. */
    static final List<GgmlType> TYPES = List.of(GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.F16, GgmlType.Q5_K, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.IQ4_NL, GgmlType.BF16, GgmlType.F32);

    /**
     * Skips when the build bundled no library (no C compiler); fails when it bundled one that does not load here,
     * since that is a broken build rather than a missing compiler.
     */
    static void requireNative() {
        if (!NativeKernels.isAvailable() && NativeKernels.bundled() && !Boolean.getBoolean("mbllm.native.disable")) {
            throw new AssertionError("libmbllm_kernels.so is bundled but unusable: " + NativeKernels.unavailableReason().orElse("?"));
        }
        assumeTrue(NativeKernels.isAvailable(), () -> "native kernels unavailable: " + NativeKernels.unavailableReason().orElse("?"));
    }

    static float[] gaussian(Random rnd, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian() * scale;
        return v;
    }

    /** rows x cols random values quantized row by row with the reference codec. */
    static WeightMatrix quantized(GgmlType type, int rows, int cols, long seed) {
        QuantCodec codec = QuantTypes.codec(type);
        float[] src = gaussian(new Random(seed), rows * cols, 0.05f);
        int rb = (int) type.rowBytes(cols);
        byte[] data = new byte[rb * rows];
        for (int r = 0; r < rows; r++) codec.quantizeRow(src, r * cols, null, 0, cols, data, r * rb);
        return new WeightMatrix(type.ggmlName() + "[q]", type, MemorySegment.ofArray(data), cols, rows);
    }

    /** Byte offsets of the fp16 scale fields in one block of each quantized type (quantization.md §2). */
    static int[] halfFields(GgmlType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /**
     * Uniformly random code and scale bytes with sane fp16 super-scales: reaches bit patterns a quantizer never
     * writes (Q8_0 code -128, every Q3_K/Q6_K scale, every Q4_K min).
     */
    static WeightMatrix randomCodes(GgmlType type, int rows, int cols, long seed) {
        if (!type.isQuantized()) return quantized(type, rows, cols, seed);
        Random rnd = new Random(seed);
        int rb = (int) type.rowBytes(cols);
        byte[] data = new byte[rb * rows];
        rnd.nextBytes(data);
        int bb = type.typeSize();
        for (int b = 0; b < data.length / bb; b++) {
            for (int off : halfFields(type)) {
                float d = (0.0005f + rnd.nextFloat() * 0.002f) * (rnd.nextBoolean() ? 1 : -1);
                short h = Half.fromFloat(d);
                data[b * bb + off] = (byte) h;
                data[b * bb + off + 1] = (byte) (h >> 8);
            }
        }
        return new WeightMatrix(type.ggmlName() + "[rnd]", type, MemorySegment.ofArray(data), cols, rows);
    }

    /** Σ_i |w_i · x_i| for each (token, row), from dequantized weights and activations, in double. */
    static double[] absTermSums(WeightMatrix w, float[] x, int nTokens) {
        GgmlType actType = QuantTypes.of(w.type()).vecDotType();
        QuantCodec actCodec = QuantTypes.codec(actType);
        int cols = w.cols();
        int ar = (int) actType.rowBytes(cols);
        byte[] act = new byte[ar * nTokens];
        float[] xd = new float[cols * nTokens];
        for (int t = 0; t < nTokens; t++) {
            actCodec.quantizeRow(x, t * cols, null, 0, cols, act, t * ar);
            actCodec.dequantizeRow(MemorySegment.ofArray(act), (long) t * ar, xd, t * cols, cols);
        }
        float[] wd = new float[cols];
        double[] s = new double[w.rows() * nTokens];
        for (int r = 0; r < w.rows(); r++) {
            QuantTypes.codec(w.type()).dequantizeRow(w.data(), r * w.rowBytes(), wd, 0, cols);
            for (int t = 0; t < nTokens; t++) {
                double sum = 0;
                for (int i = 0; i < cols; i++) sum += Math.abs((double) wd[i] * xd[t * cols + i]);
                s[t * w.rows() + r] = sum;
            }
        }
        return s;
    }

    static void assertFinite(float[] v, int n) {
        for (int i = 0; i < n; i++) assertTrue(Float.isFinite(v[i]), "non-finite output at " + i + ": " + v[i]);
    }
}
