package io.mbllm.server.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.WeightMatrix;
import io.mbllm.testkit.SharedData;

/**
 * The hidden state embeddings pool over ({@code InferenceContext.lastHidden}) is the input of the vocabulary
 * projection: {@code output.weight · hidden} reproduces the logits, position by position.
 */
class HiddenStateTest {
    @Test
    void lastHiddenTimesOutputWeightIsTheLogits() throws Exception {
        try (Model model = Model.open(SharedData.require("models/stories260K.gguf"));
             InferenceContext ctx = model.newContext(ContextOptions.of(64))) {
            int dim = model.config().embeddingLength();
            WeightMatrix out = model.weights().output();
            float[] hidden = new float[dim], row = new float[dim];
            for (int token : new int[] {1, 403, 407, 261, 378}) {
                float[] logits = ctx.step(token);
                ctx.lastHidden(hidden, 0);
                for (int v = 0; v < model.config().vocabSize(); v += 37) {
                    QuantTypes.codec(out.type()).dequantizeRow(out.data(), v * out.rowBytes(), row, 0, dim);
                    double dot = 0;
                    for (int i = 0; i < dim; i++) dot += (double) row[i] * hidden[i];
                    assertEquals(logits[v], dot, 1e-3 * Math.max(1, Math.abs(dot)), "token " + token + ", vocab " + v);
                }
            }
        }
    }
}
