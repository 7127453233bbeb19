package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.requireNative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * The C activation conversion ({@code mbllm_quantize_act}) in reference mode writes exactly the bytes of the
 * reference codec of the weight type's activation format (Q8_0, Q8_1, Q8_K, F32; for F16 and BF16 the reference's
 * rounded values, widened to float32), including zero blocks, fp16/bf16 rounding ties, half subnormals, half
 * overflow and values whose scale underflows. In exact mode (the default, {@code mbllm_set_exact(1)}) Q8_0 and Q8_1
 * codes are ggml's x86 ones (nearest-even of {@code x * (127/amax)}) and every other format is unchanged.
 */
class ActivationQuantTest {

    /** One weight type per activation format. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_1", "Q4_K", "F16", "BF16", "F32"})
    void bytesMatchReferenceCodec(GgmlType weightType) {
        requireNative();
        GgmlType actType = QuantTypes.of(weightType).vecDotType();
        QuantCodec codec = QuantTypes.codec(actType);
        int cols = 4 * 256;
        int nTok = 9;
        float[] x = inputs(cols, nTok, new Random(weightType.id()));
        int rb = (int) actType.rowBytes(cols);
        byte[] want = new byte[rb * nTok];
        for (int t = 0; t < nTok; t++) codec.quantizeRow(x, t * cols, null, 0, cols, want, t * rb);
        if (actType == GgmlType.F16 || actType == GgmlType.BF16) want = widened(codec, want, cols * nTok);
        long nativeRow = mbllm_kernels_h.mbllm_act_row_bytes(weightType.id(), cols);
        assertEquals(want.length / nTok, nativeRow, "activation row bytes");
        assertArrayEquals(want, nativeBytes(weightType, x, cols, nTok, want.length, 0), actType + " bytes");
        if (actType != GgmlType.Q8_0 && actType != GgmlType.Q8_1) {
            assertArrayEquals(want, nativeBytes(weightType, x, cols, nTok, want.length, 1), actType + " bytes, exact mode");
        }
    }

    /** Exact mode: Q8_0 / Q8_1 as ggml-cpu/arch/x86/quants.c quantize_row_q8_0 / q8_1 (AVX2 and AVX-512 builds). */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_1"})
    void exactModeMatchesGgmlX86(GgmlType weightType) {
        requireNative();
        boolean withSum = weightType == GgmlType.Q4_1;
        int cols = 4 * 256;
        int nTok = 9;
        float[] x = inputs(cols, nTok, new Random(weightType.id()));
        int bytes = withSum ? 36 : 34, nb = cols / 32;
        byte[] want = new byte[nTok * nb * bytes];
        for (int t = 0; t < nTok; t++) {
            for (int b = 0; b < nb; b++) x86Block(x, t * cols + b * 32, want, (t * nb + b) * bytes, withSum);
        }
        byte[] ref = nativeBytes(weightType, x, cols, nTok, want.length, 0);
        byte[] got = nativeBytes(weightType, x, cols, nTok, want.length, 1);
        assertArrayEquals(want, got, weightType + " activations, exact mode");
        assertTrue(!java.util.Arrays.equals(ref, got), "the rounding-tie rows must tell the two modes apart");
    }

    /**
     * One block as ggml's x86 quantizer: {@code d = amax/127}, codes {@code nearest-even(x * (127/amax))}, for Q8_1
     * also {@code s = d * Σcodes}; d and s stored as fp16. Subnormal blocks make {@code 127/amax} infinite: their
     * codes come from the SIMD conversion's out-of-range value.
     */
    private static void x86Block(float[] x, int off, byte[] out, int o, boolean withSum) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        float d = amax / 127f;
        float id = amax != 0 ? 127f / amax : 0f;
        putHalf(out, o, d);
        int qs = withSum ? 4 : 2, sum = 0;
        for (int j = 0; j < 32; j++) {
            float r = (float) Math.rint(x[off + j] * id);
            // _mm256_cvtps_epi32: NaN and out-of-range give INT_MIN; the packs saturate to a byte; the sum wraps
            int c = r >= -0x1p31f && r < 0x1p31f ? (int) r : Integer.MIN_VALUE;
            out[o + qs + j] = (byte) Math.clamp(c, -128, 127);
            sum += c;
        }
        if (withSum) putHalf(out, o + 2, sum * d);
    }

    private static void putHalf(byte[] out, int o, float v) {
        short h = Float.floatToFloat16(v);
        out[o] = (byte) h;
        out[o + 1] = (byte) (h >> 8);
    }

    /** The native conversion's bytes with the library in the given mode (restored afterwards). */
    private static byte[] nativeBytes(GgmlType weightType, float[] x, int cols, int nTok, int length, int exact) {
        int was = mbllm_kernels_h.mbllm_set_exact(exact);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment act = arena.allocate(length);
            int rc = mbllm_kernels_h.mbllm_quantize_act(weightType.id(), MemorySegment.ofArray(x), cols, nTok, act);
            assertEquals(mbllm_kernels_h.MBLLM_OK, rc);
            return act.toArray(ValueLayout.JAVA_BYTE);
        } finally {
            mbllm_kernels_h.mbllm_set_exact(was);
        }
    }

    /** fp16/bf16 codes as the float32 values they stand for: the native layout of F16/BF16 activations. */
    private static byte[] widened(QuantCodec codec, byte[] codes, int n) {
        float[] v = new float[n];
        codec.dequantizeRow(MemorySegment.ofArray(codes), 0, v, 0, n);
        return MemorySegment.ofArray(v).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Token rows of varied character; every row is a multiple of 256 values. */
    private static float[] inputs(int cols, int nTok, Random rnd) {
        float[] x = new float[cols * nTok];
        for (int t = 0; t < nTok; t++) {
            int o = t * cols;
            for (int i = 0; i < cols; i++) {
                float g = (float) rnd.nextGaussian();
                x[o + i] = switch (t) {
                    case 0 -> g;
                    case 1 -> g * 1e-3f;
                    case 2 -> g * 3e4f; // near the fp16 limit
                    case 3 -> i < 300 ? 0f : g; // zero blocks
                    case 4 -> g * 1e-6f; // fp16 subnormals
                    case 5 -> g * 1e-39f; // float subnormals: Q8 scales underflow
                    case 6 -> (rnd.nextInt(2001) - 1000) * 0.5f; // exact halves: rounding ties
                    case 7 -> 65504f + rnd.nextInt(40) * (rnd.nextBoolean() ? 1 : -1); // fp16 overflow boundary
                    default -> Float.intBitsToFloat(0x3f800000 | (rnd.nextInt(1 << 14) << 9) | 0x1000); // fp16 ties
                };
            }
        }
        return x;
    }
}
