package io.mbllm.engine.heal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.synth.SynthShape;
import io.mbllm.engine.synth.SyntheticModel;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.engine.train.LoraTarget;
import io.mbllm.engine.train.TrainBatch;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * The healing measurement on a synthetic llama-shaped model (n_embd 256, 4 layers, n_ff 768, vocabulary 2048 from
 * the GPT-NeoX vocabulary, random F16 weights; Q2_K with real K-quant blocks, every width a multiple of 256). It
 * takes minutes on 2 cores, so it runs only with {@code -Dheal.synthetic=true}. The target (half the KLD)
 * is not reached here: random weights leave a full-rank, structureless quantization error (README, "mbllm heal");
 * the test pins what is reached — the healed student is closer to the teacher on held-out teacher text of another
 * seed, with an adapter under 5 % of the student.
 */
@EnabledIfSystemProperty(named = "heal.synthetic", matches = "true")
class HealSyntheticTest {
    static final SynthShape SHAPE = new SynthShape("heal-synth", "llama", 256, 4, 4, 4, 768, 2048, 10000f, 512, 1e-5f,
            false, 64, false);

    @TempDir
    Path dir;

    @Test
    void healsASyntheticLlama() throws Exception {
        Path f16 = dir.resolve("synth-F16.gguf"), q2 = dir.resolve("synth-Q2_K.gguf");
        SyntheticModel.of(SHAPE, 42, SharedData.require("testdata/llamacpp-oracle/vocab/ggml-vocab-gpt-neox.gguf")).write(f16, 2);
        ModelQuantizer.quantize(f16, q2, QuantizeOptions.of(FileType.Q2_K), p -> {});
        try (Parallel pool = new Parallel(2); Model teacher = Model.open(f16); Model student = Model.open(q2)) {
            Tokenizer tok = Tokenizers.fromGguf(((GgufModelSource) teacher.source()).file().metadata());
            int start = tok.bos() >= 0 ? tok.bos() : tok.eos(); // GPT-NeoX: <|endoftext|>, not added as BOS
            List<int[]> train = TeacherText.generate(teacher, start, tok::isEog, List.of(), 16384, 64, 42, pool, null);
            List<int[]> held = TeacherText.generate(teacher, start, tok::isEog, List.of(), 4096, 64, 43, pool, null);
            int[] eval = held.stream().flatMapToInt(java.util.Arrays::stream).toArray();
            List<TrainBatch> batches = new ArrayList<>();
            for (int i = 0; i < train.size(); i += 4) {
                batches.add(TrainBatch.nextToken(train.subList(i, Math.min(train.size(), i + 4)).toArray(int[][]::new)));
            }
            HealOptions o = new HealOptions(2, 4f, LoraTarget.all(), 3e-3, 100, 1f, 42, 128, GgmlType.F16, 1L << 30);
            HealReport r = Healer.heal(teacher, student, Files.size(q2), batches, eval, -1, o, dir.resolve("a.gguf"), pool,
                    Healer.SILENT);
            System.out.printf("synthetic Q2_K (%d bytes): KLD %.5f -> %.5f (x%.3f), PPL %.2f -> %.2f (teacher %.2f), "
                            + "top-1 %.3f -> %.3f, adapter %d bytes = %.2f%%, loss %.5f -> %.5f%n", Files.size(q2),
                    r.before().kld().value(), r.after().kld().value(), r.kldRatio(), r.before().pplQ().value(),
                    r.after().pplQ().value(), r.teacher().ppl(), r.before().sameTop().value(), r.after().sameTop().value(),
                    r.adapterBytes(), 100 * r.adapterShare(), r.firstLoss(), r.lastLoss());
            assertTrue(r.adapterShare() < 0.05, "adapter share " + r.adapterShare());
            assertTrue(r.kldRatio() < 1.0, "KLD after/before " + r.kldRatio());
            assertTrue(r.lastLoss() < 0.8 * r.firstLoss(), "training loss " + r.firstLoss() + " -> " + r.lastLoss());
        }
    }
}
