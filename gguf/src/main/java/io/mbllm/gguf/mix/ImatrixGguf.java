package io.mbllm.gguf.mix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.TensorInfo;

/**
 * Reads the GGUF imatrix format ({@code shared/docs/quantization.md} §7.2): {@code <name>.in_sum2} F32
 * {@code [ne0, n_mat]} and {@code <name>.counts} F32 {@code [1, n_mat]}; the value of slice j is
 * {@code in_sum2 / lround(count)}, or all 1.0 when the rounded count is not positive.
 */
final class ImatrixGguf {
    private ImatrixGguf() {}

    static final String SUMS = ".in_sum2";
    static final String COUNTS = ".counts";
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static Imatrix read(Path path) throws IOException {
        try (GgufFile f = GgufFile.open(path)) {
            return read(f, path.toString());
        } catch (GgufFormatException e) {
            throw new ImatrixException(path + ": not a valid GGUF imatrix: " + e.getMessage(), e);
        }
    }

    static Imatrix read(GgufFile f, String source) throws ImatrixException {
        GgufMetadata m = f.metadata();
        List<String> datasets;
        int chunkCount;
        int chunkSize;
        try {
            datasets = List.copyOf(m.getStringArray("imatrix.datasets"));
            chunkCount = m.getInt("imatrix.chunk_count");
            chunkSize = m.getInt("imatrix.chunk_size");
        } catch (GgufFormatException e) {
            throw new ImatrixException(source + ": not a usable imatrix (" + e.getMessage() + ")", e);
        }
        Map<String, TensorInfo[]> pairs = new LinkedHashMap<>();
        for (TensorInfo t : f.tensors()) {
            String n = t.name();
            if (n.endsWith(SUMS)) pairs.computeIfAbsent(n.substring(0, n.length() - SUMS.length()), k -> new TensorInfo[2])[0] = t;
            else if (n.endsWith(COUNTS)) pairs.computeIfAbsent(n.substring(0, n.length() - COUNTS.length()), k -> new TensorInfo[2])[1] = t;
        }
        Map<String, float[]> entries = new LinkedHashMap<>();
        for (var e : pairs.entrySet()) {
            String name = e.getKey();
            TensorInfo sums = e.getValue()[0];
            TensorInfo counts = e.getValue()[1];
            if (sums == null || counts == null) throw new ImatrixException(source + ": mismatched sums and counts for " + name);
            if (sums.type() != GgmlType.F32 || counts.type() != GgmlType.F32) {
                throw new ImatrixException(source + ": " + name + ": in_sum2/counts must be F32, got "
                        + sums.type().ggmlName() + "/" + counts.type().ggmlName());
            }
            long ne0 = sums.ne(0);
            long nMat = sums.ne(1) * sums.ne(2) * sums.ne(3);
            if (counts.elementCount() != nMat) {
                throw new ImatrixException(source + ": " + name + ": " + counts.elementCount() + " counts for " + nMat + " matrices");
            }
            if (sums.elementCount() > Integer.MAX_VALUE - 16) throw new ImatrixException(source + ": " + name + ": entry too large");
            MemorySegment s = f.tensorData(sums);
            MemorySegment c = f.tensorData(counts);
            float[] v = new float[(int) sums.elementCount()];
            for (int j = 0; j < nMat; j++) {
                long count = lround(c.getAtIndex(F32, j));
                int base = (int) (j * ne0);
                if (count > 0) {
                    float fc = (float) count;
                    for (int i = 0; i < ne0; i++) v[base + i] = s.getAtIndex(F32, base + i) / fc;
                } else {
                    for (int i = 0; i < ne0; i++) v[base + i] = 1.0f;
                }
            }
            entries.put(name, v);
        }
        return new Imatrix(Imatrix.Format.GGUF, entries, datasets, chunkCount, chunkSize);
    }

    /** C's {@code lround}: to nearest, halves away from zero; non-finite values count as 0 here. */
    static long lround(float x) {
        if (!Float.isFinite(x)) return 0;
        double d = x;
        return (long) (d < 0 ? -Math.floor(-d + 0.5) : Math.floor(d + 0.5));
    }
}
