package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.generate.Greedy;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraMerger;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * An adapter trained on stories260K and written by {@link AdapterFiles}: applied at run time through
 * {@link LoraSet} it gives the same greedy text as the model merged with {@link LoraMerger}, and a different text
 * from the base model's.
 */
class TrainedAdapterTest {
    @Test
    void runtimeAdapterAndMergedModelGenerateTheSameGreedyText(@TempDir Path dir) throws Exception {
        Path base = SharedData.require("models/stories260K.gguf");
        Path adapter = dir.resolve("trained.gguf"), merged = dir.resolve("merged.gguf");
        try (Parallel pool = new Parallel(2); Model m = Model.open(base)) {
            Tokenizer tok = Tokenizers.fromGguf(((GgufModelSource) m.source()).file().metadata());
            int[] ids = Perplexity.tokenizeText(tok, Files.readString(SharedData.require("testdata/text/stories.txt"), StandardCharsets.UTF_8));
            LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 4);
            TrainState st = TrainState.initial(layout, 8f, 7);
            Trainer tr = new Trainer(new ForwardBackward(m, layout, 8f, pool), st, TrainData.text(ids, 64, 4),
                    CrossEntropyLoss.INSTANCE, 1, AdamW.of(3e-3));
            for (int s = 0; s < 10; s++) tr.step();
            AdapterFiles.writeAdapter(adapter, "llama", "trained", st);

            int[] prompt = tok.encode("Once upon a time", true, false);
            int[] plain, withLora, mergedOut;
            try (InferenceContext c = m.newContext(ContextOptions.of(128).withParallel(pool))) {
                plain = Greedy.generate(c, prompt, 48);
            }
            try (LoraAdapter a = LoraAdapter.load(adapter)) {
                LoraSet set = LoraSet.bind(m, List.of(new ScaledLora(a, 1f)));
                try (InferenceContext c = m.newContext(ContextOptions.of(128).withParallel(pool).withLoras(set))) {
                    withLora = Greedy.generate(c, prompt, 48);
                }
                LoraMerger.merge(base, List.of(new ScaledLora(a, 1f)), merged);
            }
            try (Model mm = Model.open(merged); InferenceContext c = mm.newContext(ContextOptions.of(128).withParallel(pool))) {
                mergedOut = Greedy.generate(c, prompt, 48);
            }
            System.out.println("base:    " + tok.decode(plain));
            System.out.println("adapter: " + tok.decode(withLora));
            assertArrayEquals(withLora, mergedOut, "LoraSet vs merged:\n" + tok.decode(withLora) + "\n" + tok.decode(mergedOut));
            assertFalse(java.util.Arrays.equals(plain, withLora), "training changed nothing");
            assertTrue(withLora.length == 48);
        }
    }
}
