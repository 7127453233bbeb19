package io.mbllm.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.testkit.SharedData;

/** The vectorised activation quantizers give exactly the reference codec's bytes (and ggml's golden bytes). */
class ActQuantTest {

    private static byte[] reference(GgmlType type, float[] x) {
        QuantCodec codec = QuantTypes.codec(type);
        byte[] out = new byte[(int) type.rowBytes(x.length)];
        codec.quantizeRow(x, 0, null, 0, x.length, out, 0);
        return out;
    }

    private static byte[] vector(GgmlType type, float[] x) {
        byte[] out = new byte[(int) type.rowBytes(x.length)];
        Arrays.fill(out, (byte) 0x5A); // every byte must be written
        ActQuant.quantizeRow(type, x, 0, x.length, out, 0);
        return out;
    }

    /** Rows that hit the rounding corners: exact .5 ties, sign ties in the max search, zeros, tiny and huge values, non-finite values. */
    static float[][] cornerRows(int n) {
        SplittableRandom r = new SplittableRandom(42);
        float[][] rows = new float[12][n];
        for (int j = 0; j < n; j++) {
            rows[0][j] = (float) r.nextGaussian();
            rows[1][j] = (j % 32 == 0) ? 127f : (float) ((j * 37) % 253 - 126) + 0.5f; // d = 1: .5 ties
            rows[2][j] = 0f;
            rows[3][j] = -0f;
            rows[4][j] = (float) r.nextGaussian() * 1e-38f; // subnormal scales: reciprocal overflows
            rows[5][j] = (float) r.nextGaussian() * 3e38f;
            rows[6][j] = j % 7 == 3 ? Float.NaN : (float) r.nextGaussian();
            rows[7][j] = j % 50 == 9 ? Float.POSITIVE_INFINITY : (j % 50 == 10 ? Float.NEGATIVE_INFINITY : 0.25f * j);
            rows[8][j] = (j % 2 == 0 ? 1f : -1f) * (j % 16); // +max and -max in every block: the first one wins
            rows[9][j] = (j % 64 == 5) ? -2f : (j % 64 == 40 ? 2f : (float) r.nextGaussian() * 0.1f);
            rows[10][j] = (float) (r.nextInt(255) - 127) / 127f * 0.37f; // values on the code grid
            rows[11][j] = 1e-45f * (j % 5); // subnormal inputs
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q8_1", "Q8_K"})
    void cornerRowsMatchTheReferenceCodec(GgmlType type) {
        float[][] rows = cornerRows(1024);
        for (int i = 0; i < rows.length; i++) {
            assertArrayEquals(reference(type, rows[i]), vector(type, rows[i]), type + " corner row " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q8_1", "Q8_K"})
    void randomRowsMatchTheReferenceCodec(GgmlType type) {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            float[] x = new float[512];
            float scale = (float) Math.pow(10, r.nextInt(-6, 6));
            for (int j = 0; j < x.length; j++) x[j] = (float) r.nextGaussian() * scale;
            assertArrayEquals(reference(type, x), vector(type, x), type + " random row " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q8_1", "Q8_K"})
    void goldenActivationsMatchGgml(GgmlType type) throws IOException {
        Path dir = SharedData.require("testdata/quant");
        float[] act = readFloats(dir.resolve("act.f32"));
        byte[] golden = Files.readAllBytes(dir.resolve("act." + type.ggmlName() + ".bin"));
        int[] n = {1024, 1024, 256, 256, 256, 512, 256, 256, 256, 256, 256, 256, 256, 512, 512, 256};
        int off = 0, byteOff = 0;
        for (int row = 0; row < n.length; row++) {
            float[] x = Arrays.copyOfRange(act, off, off + n[row]);
            byte[] want = Arrays.copyOfRange(golden, byteOff, byteOff + (int) type.rowBytes(n[row]));
            assertArrayEquals(want, vector(type, x), type + " golden row " + row);
            off += n[row];
            byteOff += want.length;
        }
        assertEquals(golden.length, byteOff);
        assertEquals(act.length, off);
    }

    static float[] readFloats(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }
}
