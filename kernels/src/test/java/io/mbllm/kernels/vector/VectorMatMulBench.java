package io.mbllm.kernels.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * Throughput of {@link VectorMatMul} against {@link ReferenceMatMul} (a main, not a test): per type, matvec and a
 * 64-token matmul on 2048x2048 and 8192x2048 weights in native memory, 1 and 2 threads, the two implementations
 * interleaved. Prints GB/s of weights read and GFLOP/s. Arguments: optional type names (default: all), and
 * {@code -Dbench.ms=} time per measurement.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... io.mbllm.kernels.vector.VectorMatMulBench q4_K q6_K</pre>
 */
public final class VectorMatMulBench {
    private static final long MS = Long.getLong("bench.ms", 400);
    private static final int PROMPT = Integer.getInteger("bench.tokens", 64);
    private static final boolean REF = !Boolean.getBoolean("bench.noref");

    public static void main(String[] args) {
        GgmlType[] types = args.length == 0 ? KernelCases.TYPES : new GgmlType[args.length];
        for (int i = 0; i < args.length; i++) types[i] = GgmlType.byName(args[i]);
        System.out.printf("vector bits: preferred %d, float kernels %d; accelerated=%b%n",
                jdk.incubator.vector.ByteVector.SPECIES_PREFERRED.vectorBitSize(), Simd.FP.vectorBitSize(),
                VectorMatMul.isAccelerated());
        System.out.println("type    shape       thr tokens  vector GB/s  GFLOP/s |  ref GB/s  GFLOP/s | speedup");
        int[][] shapes = {{2048, 2048}, {8192, 2048}};
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : types) {
                for (int[] shape : shapes) {
                    int rows = shape[0], cols = shape[1];
                    byte[] bytes = KernelCases.randomBytes(type, rows, cols, 1);
                    MemorySegment seg = arena.allocate(bytes.length, 64);
                    seg.copyFrom(MemorySegment.ofArray(bytes));
                    WeightMatrix w = new WeightMatrix(type.ggmlName(), type, seg, cols, rows);
                    for (int threads : new int[] {1, 2}) {
                        try (Parallel p = new Parallel(threads)) {
                            for (int tokens : new int[] {1, PROMPT}) {
                                float[] x = KernelCases.activations(tokens, cols, 3);
                                float[] out = new float[tokens * rows];
                                double v = secondsPerCall(new VectorMatMul(p), w, x, tokens, out);
                                double r = REF && tokens == 1 ? secondsPerCall(new ReferenceMatMul(p), w, x, tokens, out) : Double.NaN;
                                double gb = (double) seg.byteSize() / 1e9, gf = 2.0 * rows * cols * tokens / 1e9;
                                System.out.printf(Locale.ROOT, "%-7s %5dx%-5d %3d %6d  %11.2f %8.2f | %9.2f %8.2f | %7.1fx%n",
                                        type.ggmlName(), rows, cols, threads, tokens, gb / v, gf / v, gb / r, gf / r, r / v);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Warms up, then times calls for about {@link #MS} ms and returns the best-of-3 mean seconds per call. */
    private static double secondsPerCall(MatMul mm, WeightMatrix w, float[] x, int tokens, float[] out) {
        long warm = System.nanoTime();
        while (System.nanoTime() - warm < MS * 1_000_000L) mm.matmul(w, x, tokens, out);
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
            int calls = 0;
            long t0 = System.nanoTime(), t1;
            do {
                mm.matmul(w, x, tokens, out);
                calls++;
                t1 = System.nanoTime();
            } while (t1 - t0 < MS * 1_000_000L / 3);
            best = Math.min(best, (t1 - t0) / 1e9 / calls);
        }
        return best;
    }
}
