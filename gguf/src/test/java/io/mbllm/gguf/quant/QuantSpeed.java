package io.mbllm.gguf.quant;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

import io.mbllm.gguf.GgmlType;
import io.mbllm.testkit.SplitMix64;

/**
 * Single-thread quantization throughput (million weights per second) of every weight type, reference and imatrix
 * paths, on a 512-row × 4096-column matrix of {@code gau() * 0.02f} (seed 1) with per-column importance
 * {@code 0.1 + 2u²} (seed 2). Not a unit test: a plain main, no JMH.
 *
 * <p>Each line also prints the CRC32 of the quantized matrix, so that a change to a quantizer can be checked to
 * leave every output byte of this 2M-weight matrix unchanged (in addition to the golden tests).
 *
 * <pre>
 * export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
 * mvn -B -q -o -pl gguf -am test-compile
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector \
 *     -cp gguf/target/classes:gguf/target/test-classes:testkit/target/classes \
 *     io.mbllm.gguf.quant.QuantSpeed [--passes N] [--rows R] [TYPE ...]
 * </pre>
 * TYPE is a ggml name such as {@code q4_K}; without one every weight type is measured. The figure is the best of
 * {@code N} timed passes (default 3) after two warm-up passes, timed in thread CPU time (a shared machine's other
 * load does not count, though it still competes for caches and cores).
 */
public final class QuantSpeed {
    private QuantSpeed() {}

    /** Time is the thread's CPU time, so that other processes on a shared machine do not count. */
    private static final ThreadMXBean THREAD = ManagementFactory.getThreadMXBean();

    private static final List<GgmlType> DEFAULT_TYPES = List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
            GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.IQ4_NL, GgmlType.Q8_0);

    /** Runs the benchmark; see the class comment for the arguments. */
    public static void main(String[] args) {
        int passes = 3;
        int rows = 512;
        int cols = 4096;
        List<GgmlType> types = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                default -> types.add(byName(args[i]));
            }
        }
        if (types.isEmpty()) types = DEFAULT_TYPES;

        float[] x = new float[rows * cols];
        SplitMix64 g = new SplitMix64(1);
        for (int i = 0; i < x.length; i++) x[i] = g.gau() * 0.02f;
        float[] imp = new float[cols];
        SplitMix64 h = new SplitMix64(2);
        for (int i = 0; i < cols; i++) {
            float u = h.u01();
            imp[i] = 0.1f + 2.0f * (u * u);
        }

        System.out.printf(Locale.ROOT, "%d x %d weights, single thread, best of %d passes (thread CPU time)%n", rows, cols, passes);
        System.out.printf(Locale.ROOT, "%-8s %-7s %10s  %s%n", "type", "path", "M/s", "crc32");
        for (GgmlType t : types) {
            QuantCodec c = QuantTypes.codec(t);
            for (boolean imatrix : new boolean[] {false, true}) {
                if (imatrix && !c.usesImportance()) continue;
                byte[] out = new byte[(int) t.rowBytes(cols) * rows];
                float[] qw = imatrix ? imp : null;
                for (int w = 0; w < 2; w++) pass(c, x, qw, rows, cols, out);
                long best = Long.MAX_VALUE;
                for (int p = 0; p < passes; p++) best = Math.min(best, pass(c, x, qw, rows, cols, out));
                CRC32 crc = new CRC32();
                crc.update(out);
                double mps = (double) rows * cols / (best / 1e9) / 1e6;
                System.out.printf(Locale.ROOT, "%-8s %-7s %10.1f  %08x%n", t.ggmlName(), imatrix ? "imatrix" : "ref",
                        mps, crc.getValue());
            }
        }
    }

    private static long pass(QuantCodec c, float[] x, float[] qw, int rows, int cols, byte[] out) {
        int rowBytes = (int) c.type().rowBytes(cols);
        long t0 = THREAD.getCurrentThreadCpuTime();
        for (int r = 0; r < rows; r++) c.quantizeRow(x, r * cols, qw, 0, cols, out, r * rowBytes);
        return THREAD.getCurrentThreadCpuTime() - t0;
    }

    private static GgmlType byName(String name) {
        for (GgmlType t : GgmlType.values()) {
            if (t.ggmlName().equalsIgnoreCase(name)) return t;
        }
        throw new IllegalArgumentException("unknown ggml type " + name);
    }
}
