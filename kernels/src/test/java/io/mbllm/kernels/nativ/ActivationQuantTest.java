package io.mbllm.kernels.nativ;

import static io.mbllm.kernels.nativ.NativeTestSupport.requireNative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * The C activation conversion ({@code mbllm_quantize_act}) writes exactly the bytes of the reference codec of the
 * weight type's activation format (Q8_0, Q8_1, Q8_K, F32; for F16 and BF16 the reference's rounded values, widened
 * to float32), including zero blocks, fp16/bf16 rounding
 * ties, half subnormals, half overflow and values whose scale underflows.
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment act = arena.allocate(want.length);
            int rc = mbllm_kernels_h.mbllm_quantize_act(weightType.id(), MemorySegment.ofArray(x), cols, nTok, act);
            assertEquals(mbllm_kernels_h.MBLLM_OK, rc);
            assertArrayEquals(want, act.toArray(ValueLayout.JAVA_BYTE), actType + " bytes");
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
