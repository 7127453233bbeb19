package io.mbllm.kernels.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.SplittableRandom;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/** Test weights and the error bound used to compare a fast matmul with the reference. */
final class KernelCases {
    private KernelCases() {}

    /** Relative tolerance against the sum of |terms| (see {@link VectorMatMulTest}). */
    static final double REL_TOL = 1e-5;

    /**
     * Runs {@link VectorMatMul} and {@link ReferenceMatMul} on the same weights and activations and returns a
     * description of the first result outside the tolerance (or a write past the output), else null.
     */
    static String compare(GgmlType type, byte[] bytes, int rows, int cols, int tokens, boolean nativeSeg,
                          Parallel refPar, Parallel par, int tileBytes, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = MemorySegment.ofArray(bytes);
            if (nativeSeg) {
                MemorySegment n = arena.allocate(bytes.length + 64, 64).asSlice(13, bytes.length); // unaligned
                n.copyFrom(seg);
                seg = n;
            }
            WeightMatrix w = new WeightMatrix("w", type, seg, cols, rows);
            float[] x = activations(tokens, cols, seed);
            float[] want = new float[tokens * rows];
            float[] got = new float[tokens * rows + 3];
            got[tokens * rows] = 42f;
            new ReferenceMatMul(refPar).matmul(w, x, tokens, want);
            new VectorMatMul(par, tileBytes).matmul(w, x, tokens, got);
            if (got[tokens * rows] != 42f) return type + ": wrote past the output";
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    float ref = want[t * rows + r], fast = got[t * rows + r];
                    double bound = REL_TOL * absTerms(type, seg, r * w.rowBytes(), x, t * cols, cols) + 1e-30;
                    if (!(Math.abs((double) fast - ref) <= bound) && !(Float.isNaN(ref) && Float.isNaN(fast)) && fast != ref) {
                        return type + " " + rows + "x" + cols + " tokens=" + tokens + " native=" + nativeSeg + " row " + r
                                + " token " + t + ": fast " + fast + " ref " + ref + " bound " + bound;
                    }
                }
            }
            return null;
        }
    }

    /**
     * A child-JVM entry point: compares every type on small shapes with the current vector sizes (run with
     * {@code -Dmbllm.vector.maxBits=256} to cover the AVX2 shapes). Prints the lane count; exits 1 on a mismatch.
     */
    public static void main(String[] args) {
        System.out.println("wide short lanes " + Simd.SL + ", float lanes " + Simd.FP.length());
        int failures = 0, cases = 0;
        try (Parallel one = new Parallel(1); Parallel two = new Parallel(2)) {
            long seed = 1;
            for (GgmlType type : TYPES) {
                int cols = type.blockSize() == 1 ? 67 : 2 * type.blockSize();
                for (int tokens : new int[] {1, 3}) {
                    String[] errs = {
                            compare(type, quantized(type, 5, cols, seed), 5, cols, tokens, true, one, two, 1 << 16, seed++),
                            compare(type, randomBytes(type, 7, cols, seed), 7, cols, tokens, false, one, one, 2 * (int) type.rowBytes(cols), seed++)};
                    for (String e : errs) {
                        cases++;
                        if (e != null) {
                            System.out.println("MISMATCH " + e);
                            failures++;
                        }
                    }
                }
            }
        }
        System.out.println(cases + " cases, " + failures + " mismatches");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Every weight type the Vector API path serves. */
    static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
            GgmlType.Q5_K, GgmlType.Q6_K};

    /** Byte offsets of the fp16 scale fields inside one block, overwritten with sane values in random-byte weights. */
    private static final Map<GgmlType, int[]> F16_FIELDS = Map.ofEntries(
            Map.entry(GgmlType.Q8_0, new int[] {0}), Map.entry(GgmlType.Q4_0, new int[] {0}),
            Map.entry(GgmlType.Q4_1, new int[] {0, 2}), Map.entry(GgmlType.Q5_0, new int[] {0}),
            Map.entry(GgmlType.Q5_1, new int[] {0, 2}), Map.entry(GgmlType.IQ4_NL, new int[] {0}),
            Map.entry(GgmlType.Q2_K, new int[] {80, 82}), Map.entry(GgmlType.Q3_K, new int[] {108}),
            Map.entry(GgmlType.Q4_K, new int[] {0, 2}), Map.entry(GgmlType.Q5_K, new int[] {0, 2}),
            Map.entry(GgmlType.Q6_K, new int[] {208}));

    /** Weights quantized from gaussian floats with the type's codec (realistic blocks). */
    static byte[] quantized(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        QuantCodec codec = QuantTypes.codec(type);
        int rowBytes = (int) type.rowBytes(cols);
        byte[] out = new byte[rows * rowBytes];
        float[] x = new float[cols];
        for (int row = 0; row < rows; row++) {
            for (int j = 0; j < cols; j++) x[j] = (float) (r.nextGaussian() * 0.05 + (row % 3 == 0 ? 0.01 : 0));
            codec.quantizeRow(x, 0, null, 0, cols, out, row * rowBytes);
        }
        return out;
    }

    /** Uniformly random bytes (every code and scale bit pattern) with finite fp16 block scales. */
    static byte[] randomBytes(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int rowBytes = (int) type.rowBytes(cols);
        byte[] out = new byte[rows * rowBytes];
        if (!type.isQuantized()) {
            QuantCodec codec = QuantTypes.codec(type);
            float[] x = new float[cols];
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < cols; j++) x[j] = (float) r.nextGaussian() * (j % 5 == 0 ? 1e-6f : 1f);
                codec.quantizeRow(x, 0, null, 0, cols, out, row * rowBytes);
            }
            return out;
        }
        r.nextBytes(out);
        int[] fields = F16_FIELDS.get(type);
        for (int b = 0; b < out.length / type.typeSize(); b++) {
            for (int f : fields) {
                short h = Float.floatToFloat16((float) (r.nextDouble() * 2 - 1) * 0.01f);
                out[b * type.typeSize() + f] = (byte) h;
                out[b * type.typeSize() + f + 1] = (byte) (h >> 8);
            }
        }
        return out;
    }

    /** Activations: gaussian, with an outlier per row. */
    static float[] activations(int tokens, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int t = 0; t < tokens; t++) x[t * cols + r.nextInt(cols)] = 9f;
        return x;
    }

    /**
     * Σ |w_e · a_e| over the row, with weights and activations dequantized as the kernels see them: the scale of
     * float rounding differences between two summation orders.
     */
    static double absTerms(GgmlType type, MemorySegment w, long off, float[] x, int xOff, int cols) {
        float[] wf = new float[cols];
        QuantTypes.codec(type).dequantizeRow(w, off, wf, 0, cols);
        GgmlType actType = QuantTypes.of(type).vecDotType();
        float[] af = new float[cols];
        if (actType == GgmlType.F32) {
            System.arraycopy(x, xOff, af, 0, cols);
        } else {
            QuantCodec ac = QuantTypes.codec(actType);
            byte[] q = new byte[(int) actType.rowBytes(cols)];
            ac.quantizeRow(x, xOff, null, 0, cols, q, 0);
            ac.dequantizeRow(MemorySegment.ofArray(q), 0, af, 0, cols);
        }
        double s = 0;
        for (int i = 0; i < cols; i++) s += Math.abs((double) wf[i] * af[i]);
        return s;
    }
}
