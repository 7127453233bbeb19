package io.mbllm.gguf.quant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mbllm.testkit.SharedData;
import io.mbllm.testkit.SplitMix64;

/**
 * Test support for the golden quantization vectors in {@code shared/testdata/quant} (see its README), for every
 * codec's golden test: the row table, the regeneration of {@code input.f32}, {@code imatrix.f32} and {@code act.f32}
 * with {@link SplitMix64}, and loaders for {@code rows.tsv}, {@code sizes.tsv}, {@code dot.tsv} and the binary
 * files. The generator needs no shared data; the loaders go through {@link SharedData}.
 */
final class GoldenRows {
    private GoldenRows() {}

    /** One golden row: its id, name, length and float offset inside the concatenated 6400-float arrays. */
    record Row(int id, String name, int n, int offset) {}

    /** One line of {@code sizes.tsv}: where row {@code rowId} of {@code type} lies in the {@code .q.bin} files. */
    record Size(String type, int ggmlTypeId, int rowId, int n, int byteOffset, int rowBytes) {}

    /** One line of {@code dot.tsv}: the expected float bits of {@code vec_dot(weights row, activation row)}. */
    record Dot(String type, String variant, int rowId, String rowName, int n, int resultBits) {}

    /** Total floats of each of input/imatrix/act. */
    static final int TOTAL = 6400;

    private static final List<Row> ROWS;

    static {
        String[] names = {"uniform1024", "gauss1024", "zeros", "negzeros", "constant", "outlier", "tiny",
                "alternating", "positive", "negative", "onehot", "ramp", "ties", "large", "multiscale", "halfzero"};
        int[] lengths = {1024, 1024, 256, 256, 256, 512, 256, 256, 256, 256, 256, 256, 256, 512, 512, 256};
        List<Row> rows = new ArrayList<>();
        int off = 0;
        for (int r = 0; r < names.length; r++) {
            rows.add(new Row(r, names[r], lengths[r], off));
            off += lengths[r];
        }
        ROWS = List.copyOf(rows);
    }

    /** The 16 rows in order. */
    static List<Row> rows() { return ROWS; }

    /** The golden folder (fails under CI, skips elsewhere when missing). */
    static Path dir() { return SharedData.require("testdata/quant"); }

    // ---------------------------------------------------------------- generator

    private static final float[] MULTISCALE = {1e-3f, 1e-2f, 1e-1f, 1.0f, 10.0f, 1e-4f, 3.0f, 0.5f};

    /** The 6400 input floats (seed 1000 + row). */
    static float[] input() {
        float[] out = new float[TOTAL];
        for (Row row : ROWS) {
            SplitMix64 g = new SplitMix64(1000 + row.id());
            for (int j = 0; j < row.n(); j++) out[row.offset() + j] = inputValue(row.id(), j, g);
        }
        return out;
    }

    private static float inputValue(int r, int j, SplitMix64 g) {
        return switch (r) {
            case 0 -> g.uni();
            case 1 -> g.gau() * 0.02f;
            case 2 -> 0.0f;
            case 3 -> -0.0f;
            case 4 -> 0.37f;
            case 5 -> {
                float v = g.gau() * 0.02f;
                yield j == 100 ? 50.0f : v;
            }
            case 6 -> g.uni() * 1e-8f;
            case 7 -> (j % 2 == 0 ? 1.0f : -1.0f) * (float) (j % 7 + 1) * 0.125f;
            case 8 -> Math.abs(g.uni());
            case 9 -> -Math.abs(g.uni());
            case 10 -> j == 17 ? 1.0f : 0.0f;
            case 11 -> (float) (j - 128) * (1.0f / 128.0f);
            case 12 -> j % 32 == 0 ? 127.0f : ((float) ((j * 37) % 253) - 126.0f) + 0.5f;
            case 13 -> g.gau() * 1000.0f;
            case 14 -> g.uni() * MULTISCALE[(j / 32) % 8];
            case 15 -> j < 128 ? g.gau() * 0.02f : 0.0f;
            default -> throw new IllegalArgumentException("no golden row " + r);
        };
    }

    /** The 6400 importance weights (seed 5000 + row; zero where {@code j % 61 == 7}). */
    static float[] imatrix() {
        float[] out = new float[TOTAL];
        for (Row row : ROWS) {
            SplitMix64 g = new SplitMix64(5000 + row.id());
            for (int j = 0; j < row.n(); j++) {
                float u = g.u01();
                float v = 0.1f + 2.0f * (u * u);
                out[row.offset() + j] = j % 61 == 7 ? 0.0f : v;
            }
        }
        return out;
    }

    /** The 6400 activations (seed 9000 + row, uniform in [-1, 1)). */
    static float[] act() {
        float[] out = new float[TOTAL];
        for (Row row : ROWS) {
            SplitMix64 g = new SplitMix64(9000 + row.id());
            for (int j = 0; j < row.n(); j++) out[row.offset() + j] = g.uni();
        }
        return out;
    }

    // ---------------------------------------------------------------- loaders

    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    /** A whole golden file as bytes (read once per test JVM; callers must not modify the array). */
    static byte[] bytes(String file) {
        Path p = dir().resolve(file);
        return CACHE.computeIfAbsent(file, f -> {
            try {
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A golden little-endian float32 file. */
    static float[] floats(String file) {
        byte[] b = bytes(file);
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    private static List<String[]> tsv(String file) {
        List<String[]> out = new ArrayList<>();
        String[] lines = new String(bytes(file), StandardCharsets.UTF_8).split("\\R");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isBlank()) out.add(lines[i].split("\t"));
        }
        return out;
    }

    /** {@code rows.tsv} as rows (to check the table above). */
    static List<Row> rowsTsv() {
        return tsv("rows.tsv").stream()
                .map(f -> new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3])))
                .toList();
    }

    /** All of {@code sizes.tsv}. */
    static List<Size> sizes() {
        return tsv("sizes.tsv").stream()
                .map(f -> new Size(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Integer.parseInt(f[4]), Integer.parseInt(f[5])))
                .toList();
    }

    /** The {@code sizes.tsv} entry of one type (file prefix, e.g. {@code q4_0}) and row. */
    static Size size(String type, int rowId) {
        return sizes().stream().filter(s -> s.type().equals(type) && s.rowId() == rowId).findFirst()
                .orElseThrow(() -> new AssertionError("sizes.tsv has no " + type + " row " + rowId));
    }

    /** All of {@code dot.tsv}. */
    static List<Dot> dots() {
        return tsv("dot.tsv").stream()
                .map(f -> new Dot(f[0], f[1], Integer.parseInt(f[2]), f[3], Integer.parseInt(f[4]),
                        Integer.parseUnsignedInt(f[5].substring(2), 16)))
                .toList();
    }

    /** The {@code dot.tsv} entry of one type, variant ({@code ref}/{@code imat}) and row. */
    static Dot dot(String type, String variant, int rowId) {
        return dots().stream()
                .filter(d -> d.type().equals(type) && d.variant().equals(variant) && d.rowId() == rowId)
                .findFirst()
                .orElseThrow(() -> new AssertionError("dot.tsv has no " + type + "/" + variant + " row " + rowId));
    }

    /** Byte offset of row {@code r} inside an {@code act.q8_*.bin} file whose blocks of 32 take {@code blockBytes}. */
    static int actOffset(Row r, int blockBytes) {
        return r.offset() / 32 * blockBytes;
    }

    /** The floats of one row of a 6400-float array. */
    static float[] slice(float[] all, Row r) {
        float[] out = new float[r.n()];
        System.arraycopy(all, r.offset(), out, 0, r.n());
        return out;
    }
}
