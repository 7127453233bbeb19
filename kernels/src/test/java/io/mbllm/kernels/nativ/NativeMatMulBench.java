package io.mbllm.kernels.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;

/**
 * Throughput of {@link NativeMatMul} against {@link ReferenceMatMul} (not a unit test): per type, for 2048x2048
 * and 8192x2048 weights, 1 and 2 threads, a single matvec (GB/s of weights) and a matmul of
 * {@code -Dtokens} (default 32) tokens (GFLOP/s). Runs are interleaved so machine noise hits both; quote ratios.
 * Args: optional type names (default: all). {@code -Dref=false} skips the (slow) reference.
 */
public final class NativeMatMulBench {
    public static void main(String[] args) {
        List<GgmlType> types = new ArrayList<>();
        for (String a : args) types.add(GgmlType.byName(a));
        if (types.isEmpty()) types.addAll(NativeTestSupport.TYPES);
        int tokens = Integer.getInteger("tokens", 32);
        boolean ref = !"false".equals(System.getProperty("ref"));
        int[][] shapes = {{2048, 2048}, {8192, 2048}};
        System.out.printf("native variant %s; matmul tokens %d%n", NativeVariant.best(), tokens);
        System.out.printf("%-6s %-10s %3s | %9s %9s %7s | %9s %9s %7s%n", "type", "rows x cols", "thr",
                "nat GB/s", "ref GB/s", "x", "nat GF/s", "ref GF/s", "x");
        for (GgmlType type : types) {
            for (int[] shape : shapes) {
                WeightMatrix w = weights(type, shape[0], shape[1]);
                float[] x = NativeTestSupport.gaussian(new Random(1), tokens * shape[1], 1f);
                float[] out = new float[tokens * shape[0]];
                double bytes = w.rowBytes() * (double) w.rows();
                for (int threads = 1; threads <= 2; threads++) {
                    try (Parallel p = new Parallel(threads)) {
                        MatMul nat = new NativeMatMul(p);
                        MatMul rm = new ReferenceMatMul(p);
                        double nv = 0, rv = 0, nm = 0, rmm = 0;
                        for (int round = 0; round < 2; round++) { // round 0 warms up
                            nv = seconds(nat, w, x, 1, out, 0.25);
                            if (ref) rv = seconds(rm, w, x, 1, out, 0.25);
                            nm = seconds(nat, w, x, tokens, out, 0.25);
                            if (ref) rmm = seconds(rm, w, x, tokens, out, 0.0);
                        }
                        double flop = 2.0 * w.rows() * w.cols() * tokens;
                        System.out.printf("%-6s %5dx%-5d %3d | %9.2f %9.2f %7.1f | %9.1f %9.2f %7.1f%n", type.ggmlName(),
                                w.rows(), w.cols(), threads, bytes / nv / 1e9, ref ? bytes / rv / 1e9 : Double.NaN,
                                rv / nv, flop / nm / 1e9, ref ? flop / rmm / 1e9 : Double.NaN, rmm / nm);
                    }
                }
            }
        }
    }

    /** Best seconds per call over repetitions lasting at least {@code minSeconds} (at least one call). */
    private static double seconds(MatMul m, WeightMatrix w, float[] x, int tokens, float[] out, double minSeconds) {
        double best = Double.MAX_VALUE;
        long start = System.nanoTime();
        do {
            long t0 = System.nanoTime();
            m.matmul(w, x, tokens, out);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        } while ((System.nanoTime() - start) / 1e9 < minSeconds);
        return best;
    }

    /** Random weights in an off-heap segment (as the mmap would be): a few quantized rows repeated. */
    private static WeightMatrix weights(GgmlType type, int rows, int cols) {
        QuantCodec codec = QuantTypes.codec(type);
        int rb = (int) type.rowBytes(cols);
        int distinct = 64;
        float[] src = NativeTestSupport.gaussian(new Random(7), distinct * cols, 0.05f);
        byte[] block = new byte[rb * distinct];
        for (int r = 0; r < distinct; r++) codec.quantizeRow(src, r * cols, null, 0, cols, block, r * rb);
        MemorySegment seg = Arena.global().allocate((long) rb * rows, 64);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(MemorySegment.ofArray(block), (long) (r % distinct) * rb, seg, (long) r * rb, rb);
        }
        return new WeightMatrix(type.ggmlName(), type, seg, cols, rows);
    }
}
