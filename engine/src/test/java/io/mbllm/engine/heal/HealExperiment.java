package io.mbllm.engine.heal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.engine.train.*;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

class HealExperiment {
    public static void main(String[] a) throws Exception {
        System.setProperty("heal.exp", "1");
        if (a.length > 0 && a[0].equals("synth")) synth();
        else new HealExperiment().stories();
    }

    /** Writes the synthetic llama-shaped teacher (F16) and its Q2_K student into the cache. */
    static void synth() throws Exception {
        Path dir = Path.of(System.getProperty("user.home"), ".cache/mbllm/heal");
        Files.createDirectories(dir);
        io.mbllm.engine.synth.SynthShape shape = new io.mbllm.engine.synth.SynthShape("heal-synth", "llama", 256, 4, 4, 4,
                768, 2048, 10000f, 512, 1e-5f, false, 64, false);
        Path f16 = dir.resolve("synth-F16.gguf"), q2 = dir.resolve("synth-Q2_K.gguf");
        io.mbllm.engine.synth.SyntheticModel.of(shape, 42, SharedData.require("testdata/llamacpp-oracle/vocab/ggml-vocab-gpt-neox.gguf")).write(f16, 2);
        ModelQuantizer.quantize(f16, q2, QuantizeOptions.of(FileType.Q2_K), p -> {});
        System.out.println(f16 + " " + Files.size(f16) + ", " + q2 + " " + Files.size(q2));
    }

    @Test
    void stories() throws Exception {
        if (System.getProperty("heal.exp") == null) return;
        Path f32 = SharedData.require("models/stories260K.gguf");
        Path dir = Path.of(System.getProperty("user.home"), ".cache/mbllm/heal");
        Files.createDirectories(dir);
        Path q2 = dir.resolve("stories260K-Q2_K.gguf");
        if (!Files.exists(q2)) ModelQuantizer.quantize(f32, q2, QuantizeOptions.of(FileType.Q2_K), p -> {});
        System.out.println("q2 size " + Files.size(q2));
        int rank = Integer.getInteger("heal.rank", 2);
        float alpha = Float.parseFloat(System.getProperty("heal.alpha", "4"));
        int steps = Integer.getInteger("heal.steps", 100);
        int gen = Integer.getInteger("heal.gen", 8192);
        int seqLen = Integer.getInteger("heal.seq", 128);
        int batch = Integer.getInteger("heal.batch", 8);
        float lr = Float.parseFloat(System.getProperty("heal.lr", "1e-2"));
        float temp = Float.parseFloat(System.getProperty("heal.t", "1"));
        String targets = System.getProperty("heal.targets", "all");
        try (Parallel pool = new Parallel(2); Model teacher = Model.open(f32); Model student = Model.open(q2)) {
            Tokenizer tok = Tokenizers.fromGguf(((GgufModelSource) teacher.source()).file().metadata());
            int[] eval = Perplexity.tokenizeText(tok, Files.readString(SharedData.require("testdata/text/stories.txt"), StandardCharsets.UTF_8));
            int bos = Perplexity.chunkStartToken(tok);
            long t0 = System.nanoTime();
            List<int[]> seqs = TeacherText.generate(teacher, bos, t -> t == tok.eos(), List.of(), gen, seqLen, Float.parseFloat(System.getProperty("heal.gent", "1")), 42, pool, null);
            long t1 = System.nanoTime();
            System.out.printf("generated %d seqs in %.1f s%n", seqs.size(), (t1 - t0) / 1e9);
            List<TrainBatch> batches = new ArrayList<>();
            for (int i = 0; i < seqs.size(); i += batch) batches.add(TrainBatch.nextToken(seqs.subList(i, Math.min(seqs.size(), i + batch)).toArray(int[][]::new)));
            try (HeldOutEvaluation ev = HeldOutEvaluation.of(teacher, eval, 256, bos, pool);
                 TeacherDistributions td = new TeacherDistributions(teacher, temp, seqLen, 1L << 30, pool)) {
                KldResult before = ev.compare(student, null);
                System.out.printf("teacher ppl %.4f; before: kld %.5f p99 %.4f top %.3f ppl %.4f%n", ev.teacher().ppl(), before.kld().value(), before.kldValues().p99(), before.sameTop().value(), before.pplQ().value());
                td.prepare(batches, p -> {});
                long t2 = System.nanoTime();
                System.out.printf("teacher dists %.1f s%n", (t2 - t1) / 1e9);
                LoraLayout layout = LoraLayout.of(student.config(), LoraTarget.parse(targets), rank);
                TrainState st = TrainState.initial(layout, alpha, 7);
                ForwardBackward fb = new ForwardBackward(student, layout, alpha, pool);
                Trainer tr = new Trainer(fb, st, batches, new DistillLoss(td), 1, AdamW.of(lr));
                List<TrainBatch> evalB = TrainData.text(eval, 128, 16);
                DistillLoss dl = new DistillLoss(td);
                java.util.function.Supplier<Double> trainerKl = () -> {
                    double sum = 0; long rows = 0;
                    for (TrainBatch b : evalB) { sum += fb.evaluate(b, st.params(), dl); rows += b.rows(); }
                    return sum / rows;
                };
                System.out.printf("trainer-forward KL on eval text before: %.5f%n", trainerKl.get());
                for (int s = 1; s <= steps; s++) {
                    StepResult r = tr.step(AdamW.of(Healer.learningRate(lr, s, steps)));
                    if (s % 10 == 0 || s == 1) System.out.printf("step %d loss %.5f gn %.4f%n", s, r.loss(), r.gradNorm());
                }
                long t3 = System.nanoTime();
                System.out.printf("train %.1f s, %d params%n", (t3 - t2) / 1e9, layout.size());
                System.out.printf("trainer-forward KL on eval text after: %.5f%n", trainerKl.get());
                Path ad = dir.resolve("exp-adapter.gguf");
                AdapterFiles.writeAdapter(ad, "llama", "heal", st, GgmlType.F16); long size = Files.size(ad);
                try (LoraAdapter a = LoraAdapter.load(ad)) {
                    LoraSet set = LoraSet.bind(student, List.of(new ScaledLora(a, 1f)));
                    KldResult after = ev.compare(student, set);
                    System.out.printf("after: kld %.5f p99 %.4f top %.3f ppl %.4f; adapter %d bytes = %.2f%% ratio %.3f%n", after.kld().value(), after.kldValues().p99(), after.sameTop().value(), after.pplQ().value(), size, 100.0 * size / Files.size(q2), after.kld().value() / before.kld().value());
                }
            }
        }
    }
}
