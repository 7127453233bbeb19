package io.mbllm.engine.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.eval.LogProbs;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.engine.train.AdapterFiles;
import io.mbllm.engine.train.TrainState;
import io.mbllm.engine.train.CrossEntropyLoss;
import io.mbllm.engine.train.ForwardBackward;
import io.mbllm.engine.train.LoraInit;
import io.mbllm.engine.train.LoraLayout;
import io.mbllm.engine.train.LoraTarget;
import io.mbllm.engine.train.TrainBatch;
import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * The adapter file the healer writes means what the trainer trained: parameters in {@link LoraLayout} order,
 * written by {@link AdapterFiles} and loaded by the inference engine onto stories260K (F32, so no activation
 * quantization on either side), give the same next-token losses as the trainer's own forward pass with those
 * parameters — and clearly different ones from the model without the adapter.
 *
 * <p>The trainer keeps attention in float32, so this runs in the {@code f32-attention} execution.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class AdapterRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void writtenAdapterMatchesTheTrainersForward() throws Exception {
        try (Parallel pool = new Parallel(2); Model m = Model.open(SharedData.require("models/stories260K.gguf"))) {
            var tok = Tokenizers.fromGguf(((GgufModelSource) m.source()).file().metadata());
            int[] ids = Perplexity.tokenizeText(tok, Files.readString(SharedData.require("testdata/text/stories.txt"), StandardCharsets.UTF_8));
            int[] seq = Arrays.copyOf(ids, 48);
            LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.parse("q,k,v,o,gate,up,down"), 2);
            float[] p = new float[layout.size()];
            LoraInit.initialize(layout, 11, p);
            for (LoraLayout.Slot s : layout.slots()) LoraInit.fill(12, s.baseName() + ".b", 0.3, p, s.bOffset(), 2 * s.nOut());
            float alpha = 3f;
            double trainer = new ForwardBackward(m, layout, alpha, pool).evaluate(TrainBatch.nextToken(seq), p, CrossEntropyLoss.INSTANCE);

            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16}) {
                Path file = dir.resolve("a-" + type.ggmlName() + ".gguf");
                AdapterFiles.writeAdapter(file, "llama", "t", new TrainState(layout, alpha, p, new float[p.length], new float[p.length], 0), type);
                double withAdapter, without;
                try (LoraAdapter a = LoraAdapter.load(file)) {
                    assertEquals(layout.slots().size(), a.pairs().size());
                    withAdapter = inferenceLoss(m, LoraSet.bind(m, List.of(new ScaledLora(a, 1f))), seq, pool);
                    without = inferenceLoss(m, null, seq, pool);
                }
                double tol = type == GgmlType.F32 ? 1e-4 : 2e-3;
                assertEquals(trainer, withAdapter, tol * Math.abs(trainer), type + ": trainer " + trainer + ", inference " + withAdapter);
                assertTrue(Math.abs(without - trainer) > 50 * tol * Math.abs(trainer), "the adapter changes the losses: " + without + " vs " + trainer);
            }
        }
    }

    static double inferenceLoss(Model m, LoraSet set, int[] seq, Parallel pool) throws Exception {
        int nv = m.config().vocabSize();
        float[] z = new float[seq.length * nv];
        try (InferenceContext ctx = m.newContext(ContextOptions.of(seq.length).withParallel(pool).withLoras(set))) {
            ctx.evaluateAll(seq, 0, seq.length, z);
        }
        double sum = 0;
        for (int t = 0; t + 1 < seq.length; t++) sum += LogProbs.nll(z, t * nv, nv, seq[t + 1]);
        return sum;
    }
}
