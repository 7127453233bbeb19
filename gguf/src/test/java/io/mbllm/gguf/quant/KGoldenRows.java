package io.mbllm.gguf.quant;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.mbllm.testkit.SharedData;

/**
 * Test support for the golden quantization vectors in {@code shared/testdata/quant} (see its README): the
 * splitmix64 row generator, and loaders for the float files, {@code sizes.tsv} and {@code dot.tsv}.
 * (K-quant copy; the legacy types have their own {@code GoldenRows}.)
 */
final class KGoldenRows {
    private KGoldenRows() {}

    /** One of the 16 golden rows. */
    record Row(int id, String name, int n, int floatOffset) {}

    /** The 16 rows, in order (README table; checked against rows.tsv by the tests). */
    static final List<Row> ROWS = rows();

    private static List<Row> rows() {
        String[] names = {"uniform1024", "gauss1024", "zeros", "negzeros", "constant", "outlier", "tiny",
                "alternating", "positive", "negative", "onehot", "ramp", "ties", "large", "multiscale", "halfzero"};
        int[] ns = {1024, 1024, 256, 256, 256, 512, 256, 256, 256, 256, 256, 256, 256, 512, 512, 256};
        List<Row> out = new ArrayList<>();
        int off = 0;
        for (int i = 0; i < names.length; i++) {
            out.add(new Row(i, names[i], ns[i], off));
            off += ns[i];
        }
        return List.copyOf(out);
    }

    /** Total floats in input.f32 / imatrix.f32 / act.f32. */
    static final int TOTAL = 6400;

    /** The shared golden folder (fails under CI, skips elsewhere when missing). */
    static Path dir() {
        return SharedData.require("testdata/quant");
    }

    /** The splitmix64 generator of the README, all arithmetic in float32. */
    static final class SplitMix {
        private long s;

        SplitMix(long seed) {
            this.s = seed;
        }

        long next() {
            s += 0x9E3779B97F4A7C15L;
            long z = s;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        float uni() {
            return (float) ((int) (next() >>> 40) - 8388608) * 0x1p-23f;
        }

        float u01() {
            return (float) (int) (next() >>> 40) * 0x1p-24f;
        }

        float gau() {
            int a = (int) (next() >>> 42);
            int b = (int) (next() >>> 42);
            int c = (int) (next() >>> 42);
            int d = (int) (next() >>> 42);
            return (float) (a + b + c + d - 8388608) * 0x1p-22f;
        }
    }

    private static final float[] MULTISCALE = {1e-3f, 1e-2f, 1e-1f, 1.0f, 10.0f, 1e-4f, 3.0f, 0.5f};

    /** Regenerates input.f32. */
    static float[] generateInput() {
        float[] out = new float[TOTAL];
        for (Row r : ROWS) {
            SplitMix g = new SplitMix(1000 + r.id());
            for (int j = 0; j < r.n(); j++) {
                float v = switch (r.id()) {
                    case 0 -> g.uni();
                    case 1 -> g.gau() * 0.02f;
                    case 2 -> 0.0f;
                    case 3 -> -0.0f;
                    case 4 -> 0.37f;
                    case 5 -> {
                        float t = g.gau() * 0.02f;
                        yield j == 100 ? 50.0f : t;
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
                    default -> throw new IllegalStateException("row " + r.id());
                };
                out[r.floatOffset() + j] = v;
            }
        }
        return out;
    }

    /** Regenerates imatrix.f32. */
    static float[] generateImatrix() {
        float[] out = new float[TOTAL];
        for (Row r : ROWS) {
            SplitMix g = new SplitMix(5000 + r.id());
            for (int j = 0; j < r.n(); j++) {
                float u = g.u01();
                float v = 0.1f + 2.0f * (u * u);
                out[r.floatOffset() + j] = j % 61 == 7 ? 0.0f : v;
            }
        }
        return out;
    }

    /** Regenerates act.f32. */
    static float[] generateAct() {
        float[] out = new float[TOTAL];
        for (Row r : ROWS) {
            SplitMix g = new SplitMix(9000 + r.id());
            for (int j = 0; j < r.n(); j++) out[r.floatOffset() + j] = g.uni();
        }
        return out;
    }

    /** Reads a little-endian float32 file of the golden folder. */
    static float[] floats(String file) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(bytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(out);
        return out;
    }

    /** Reads a file of the golden folder. */
    static byte[] bytes(String file) throws IOException {
        return Files.readAllBytes(dir().resolve(file));
    }

    /** One line of sizes.tsv. */
    record Size(String type, int ggmlTypeId, int rowId, int n, int byteOffset, int rowBytes) {}

    /** sizes.tsv keyed by {@code type + "/" + rowId}. */
    static Map<String, Size> sizes() throws IOException {
        Map<String, Size> out = new HashMap<>();
        for (String[] f : tsv("sizes.tsv")) {
            Size s = new Size(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]));
            out.put(s.type() + "/" + s.rowId(), s);
        }
        return out;
    }

    /** One line of dot.tsv. */
    record Dot(String type, String variant, int rowId, String rowName, int n, int resultBits) {}

    /** dot.tsv keyed by {@code type + "/" + variant + "/" + rowId}. */
    static Map<String, Dot> dots() throws IOException {
        Map<String, Dot> out = new HashMap<>();
        for (String[] f : tsv("dot.tsv")) {
            Dot d = new Dot(f[0], f[1], Integer.parseInt(f[2]), f[3], Integer.parseInt(f[4]),
                    Integer.parseUnsignedInt(f[5].substring(2), 16));
            out.put(d.type() + "/" + d.variant() + "/" + d.rowId(), d);
        }
        return out;
    }

    /** The rows of rows.tsv as {@link Row}s. */
    static List<Row> rowsTsv() throws IOException {
        List<Row> out = new ArrayList<>();
        for (String[] f : tsv("rows.tsv")) {
            out.add(new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        }
        return out;
    }

    private static List<String[]> tsv(String file) throws IOException {
        List<String> lines = Files.readAllLines(dir().resolve(file));
        List<String[]> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) { // skip the header
            if (lines.get(i).isBlank()) continue;
            out.add(lines.get(i).split("\t"));
        }
        return out;
    }
}
