package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;

/**
 * Every weight type in {@link QuantTypes} runs: a llama model with all matrices (embedding included) in that
 * type loads, evaluates and tracks the double-precision forward pass over the same dequantized weights (the
 * only difference is ggml's activation quantization, so the tolerance grows for the coarse activation formats).
 *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class WeightTypesTest {
    static final Parallel POOL = new Parallel(2);
    static final int[] PROMPT = {1, 5, 9, 33, 2, 17};

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** Types usable as weights: everything with a codec except the activation-only formats. */
    static Stream<GgmlType> weightTypes() {
        return Arrays.stream(GgmlType.values())
                .filter(t -> QuantTypes.find(t).isPresent())
                .filter(t -> t != GgmlType.Q8_1 && t != GgmlType.Q8_K);
    }

    @ParameterizedTest
    @MethodSource("weightTypes")
    void runsAndTracksTheNaiveForward(GgmlType type) throws Exception {
        InMemorySource src = Synthetic.llama(false, type, 256, 256);
        Model m = Model.load(src);
        assertEquals(type, m.weights().layers().get(0).wq().type());
        float[] got = new float[PROMPT.length * Synthetic.VOCAB];
        try (InferenceContext ctx = m.newContext(ContextOptions.of(16).withMaxBatch(4).withParallel(POOL))) {
            ctx.evaluateAll(PROMPT, 0, PROMPT.length, got);
        }
        double[][] want = new NaiveForward(src, 16).logits(PROMPT);
        double err = 0, norm = 0;
        for (int t = 0; t < PROMPT.length; t++) {
            for (int i = 0; i < Synthetic.VOCAB; i++) {
                double d = got[t * Synthetic.VOCAB + i] - want[t][i];
                err += d * d;
                norm += want[t][i] * want[t][i];
            }
        }
        double rel = Math.sqrt(err / norm);
        // the tolerance follows the activation format (measured: F32 1.8e-7, F16 4.5e-4, BF16 3.6e-3, the 32-wide
        // Q8_0/Q8_1 1.1e-2..1.4e-2, the 256-wide Q8_K of the K-quants 1.8e-2); a wrong kernel or layout gives O(1)
        GgmlType act = QuantTypes.of(type).vecDotType();
        double tol = switch (act) {
            case F32 -> 1e-5;
            case F16 -> 2e-3;
            case BF16 -> 1e-2;
            default -> 3e-2;
        };
        System.out.printf("%s (activations %s): relative rms logit error %.2e%n", type, act, rel);
        assertTrue(rel < tol, type + ": relative rms logit error " + rel);
    }

    @Test
    void activationOnlyTypesAreRejectedAsWeights() {
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_1, GgmlType.Q8_K}) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> Model.load(Synthetic.llama(false, t, 256, 256)));
            assertTrue(e.getMessage().contains("cannot be used as a weight"), e.getMessage());
        }
    }
}
