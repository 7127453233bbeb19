package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.TinyModels;
import io.mbllm.kernels.Parallel;

/** Schedule, gradient accumulation and option checks of the training loop. */
class TrainerTest {
    static int[] tokens(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = (i * 7 + i / 5) % TinyModels.VOCAB;
        return t;
    }

    @Test
    void gradientAccumulationEqualsTheLargerBatch() throws Exception {
        try (Parallel pool = new Parallel(2)) {
            Model m = Model.load(TinyModels.llama(false));
            LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 3);
            ForwardBackward fb = new ForwardBackward(m, layout, 6f, pool);
            int[] ids = tokens(16 * 8);
            Trainer big = new Trainer(fb, TrainState.initial(layout, 6f, 1), TrainData.text(ids, 16, 4), CrossEntropyLoss.INSTANCE, 1, AdamW.of(1e-2));
            Trainer acc = new Trainer(fb, TrainState.initial(layout, 6f, 1), TrainData.text(ids, 16, 2), CrossEntropyLoss.INSTANCE, 2, AdamW.of(1e-2));
            assertEquals(2, acc.batchesOf(1).size());
            for (int s = 1; s <= 4; s++) {
                StepResult a = big.step(), b = acc.step();
                assertEquals(a.scored(), b.scored());
                assertEquals(a.loss(), b.loss(), 1e-6 * a.loss(), "step " + s);
                assertEquals(a.gradNorm(), b.gradNorm(), 1e-5 * a.gradNorm(), "step " + s);
            }
            double worst = 0;
            for (int i = 0; i < layout.size(); i++) worst = Math.max(worst, Math.abs(big.state().params()[i] - acc.state().params()[i]));
            assertTrue(worst < 1e-5, "params after 4 steps differ by " + worst);
        }
    }

    @Test
    void activationMemoryIsTheDocumentedFormula() throws Exception {
        try (Parallel pool = new Parallel(1)) {
            for (var src : List.of(TinyModels.llama(false), TinyModels.qwen2(), TinyModels.stablelm())) {
                Model m = Model.load(src);
                LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 5);
                ForwardBackward fb = new ForwardBackward(m, layout, 5f, pool);
                fb.evaluate(TrainBatch.nextToken(tokens(12), tokens(7)), TrainState.initial(layout, 5f, 1).params(), CrossEntropyLoss.INSTANCE);
                assertEquals(ForwardBackward.bytesPerToken(m.config(), 5), fb.allocatedBytesPerToken(), m.config().architecture().ggufName());
            }
        }
    }

    @Test
    void stepsCycleThroughTheBatchesInFileOrder() throws Exception {
        try (Parallel pool = new Parallel(1)) {
            Model m = Model.load(TinyModels.llama(true));
            LoraLayout layout = LoraLayout.of(m.config(), java.util.EnumSet.of(LoraTarget.V), 2);
            List<TrainBatch> data = TrainData.text(tokens(10 * 5 + 3), 10, 2); // 5 sequences: batches of 2, 2, 1
            assertEquals(3, data.size());
            Trainer t = new Trainer(new ForwardBackward(m, layout, 2f, pool), TrainState.initial(layout, 2f, 1), data,
                    CrossEntropyLoss.INSTANCE, 1, AdamW.of(1e-3));
            assertEquals(data.get(0), t.batchesOf(1).get(0));
            assertEquals(data.get(2), t.batchesOf(3).get(0));
            assertEquals(data.get(0), t.batchesOf(4).get(0));
            assertEquals(9, t.step().scored() / 2);
        }
    }

    @Test
    void badOptionsAreExplained() {
        assertThrows(IllegalArgumentException.class, () -> TrainData.text(new int[5], 8, 1));
        assertThrows(IllegalArgumentException.class, () -> TrainData.text(new int[50], 1, 1));
        assertThrows(IllegalArgumentException.class, () -> AdamW.of(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraTarget.parse("q,x"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertEquals(LoraTarget.all(), LoraTarget.parse("all"));
        assertEquals(java.util.EnumSet.of(LoraTarget.Q, LoraTarget.DOWN), LoraTarget.parse("down, q"));
    }
}
