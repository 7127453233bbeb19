package io.mbllm.engine.heal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.train.AdamW;
import io.mbllm.engine.train.AdapterFiles;
import io.mbllm.engine.train.ForwardBackward;
import io.mbllm.engine.train.LoraLayout;
import io.mbllm.engine.train.StepResult;
import io.mbllm.engine.train.TrainBatch;
import io.mbllm.engine.train.TrainState;
import io.mbllm.engine.train.Trainer;
import io.mbllm.kernels.Parallel;

/**
 * Heals a quantized student with a LoRA adapter distilled from its unquantized teacher: the student (its weights
 * memory-mapped in their quantized types and dequantized on the fly, as QLoRA) is trained by the ordinary
 * {@link Trainer} with the {@link DistillLoss} against the teacher's distributions on the training batches; the
 * adapter is written as a GGUF LoRA and then measured as it will be used — loaded from the file onto the student in
 * the inference engine — on held-out text, against the plain student ({@link HeldOutEvaluation}).
 */
public final class Healer {
    private Healer() {}

    /** Progress of the phases: the held-out baseline, the teacher's distributions, the steps, the final check. */
    public interface Listener {
        /** A phase of {@code total} units begins. */
        void begin(String phase, long total);

        /** {@code done} units of the current phase are done. */
        void advance(long done, String detail);

        /** The current phase is over. */
        void end();
    }

    /** A listener that ignores everything. */
    public static final Listener SILENT = new Listener() {
        @Override public void begin(String phase, long total) {}
        @Override public void advance(long done, String detail) {}
        @Override public void end() {}
    };

    /**
     * Runs the whole heal and writes the adapter to {@code adapterOut}.
     *
     * @param batches    the training batches (token sequences; every position is scored against the teacher)
     * @param evalTokens the held-out text, tokenized as for perplexity
     * @param bos        the chunk-start token of the evaluation, or -1
     * @throws IllegalArgumentException when teacher and student do not match, or the student cannot be trained
     */
    public static HealReport heal(Model teacher, Model student, long studentBytes, List<TrainBatch> batches,
                                  int[] evalTokens, int bos, HealOptions o, Path adapterOut, Parallel pool, Listener l)
            throws IOException, EvalException, LoraException {
        checkPair(teacher, student);
        if (batches.isEmpty()) throw new IllegalArgumentException("no training text");
        int maxLen = 0;
        long tokens = 0;
        for (TrainBatch b : batches) {
            maxLen = Math.max(maxLen, b.maxLength());
            tokens += b.rows();
        }
        LoraLayout layout = LoraLayout.of(student.config(), o.targets(), o.rank());
        ForwardBackward fb = new ForwardBackward(student, layout, o.alpha(), pool);
        try (HeldOutEvaluation eval = HeldOutEvaluation.of(teacher, evalTokens, o.evalContext(), bos, pool);
             TeacherDistributions td = new TeacherDistributions(teacher, o.temperature(), maxLen, o.cacheBytes(), pool)) {
            l.begin("measuring the student", 1);
            KldResult before = eval.compare(student, null);
            l.end();

            l.begin("teacher distributions", batches.size());
            boolean cached = td.prepare(batches, i -> l.advance(i, ""));
            l.end();

            TrainState state = TrainState.initial(layout, o.alpha(), o.seed());
            Trainer trainer = new Trainer(fb, state, batches, new DistillLoss(td), 1, AdamW.of(o.lr()));
            double first = Double.NaN, last = Double.NaN;
            l.begin(cached ? "training" : "training (teacher streamed)", o.steps());
            long t0 = System.nanoTime();
            for (int s = 1; s <= o.steps(); s++) {
                StepResult r = trainer.step(AdamW.of(learningRate(o.lr(), s, o.steps())));
                if (s == 1) first = r.loss();
                last = r.loss();
                l.advance(s, String.format(java.util.Locale.ROOT, "loss %.4f", r.loss()));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            l.end();

            String name = adapterOut.getFileName() == null ? "heal" : adapterOut.getFileName().toString().replaceFirst("\\.gguf$", "");
            AdapterFiles.writeAdapter(adapterOut, student.config().architecture().ggufName(), name, state, o.adapterType());
            long bytes = java.nio.file.Files.size(adapterOut);

            l.begin("measuring the healed student", 1);
            KldResult after;
            try (LoraAdapter adapter = LoraAdapter.load(adapterOut)) {
                after = eval.compare(student, LoraSet.bind(student, List.of(new ScaledLora(adapter, 1f))));
            }
            l.end();
            return new HealReport(eval.teacher(), before, after, bytes, studentBytes, layout.size(), tokens, first, last, seconds);
        }
    }

    /**
     * The learning rate of step {@code s} of {@code n}: a cosine from {@code lr} down to {@code lr/10} (the
     * distillation loss is noisy from batch to batch; a decaying rate lets the last steps settle).
     */
    static double learningRate(double lr, int s, int n) {
        if (n <= 1) return lr;
        double c = 0.5 * (1 + Math.cos(Math.PI * (s - 1) / (n - 1)));
        return lr * (0.1 + 0.9 * c);
    }

    /** Teacher and student must be the same network: architecture, vocabulary and shapes. */
    static void checkPair(Model teacher, Model student) {
        var t = teacher.config();
        var s = student.config();
        if (!t.architecture().equals(s.architecture())) {
            throw new IllegalArgumentException("the teacher is " + t.architecture().ggufName() + ", the student " + s.architecture().ggufName());
        }
        if (t.vocabSize() != s.vocabSize()) {
            throw new IllegalArgumentException("the teacher has " + t.vocabSize() + " tokens, the student " + s.vocabSize() + ": not the same model");
        }
        if (t.blockCount() != s.blockCount() || t.embeddingLength() != s.embeddingLength()) {
            throw new IllegalArgumentException("the teacher (" + t.blockCount() + " blocks × " + t.embeddingLength()
                    + ") and the student (" + s.blockCount() + " × " + s.embeddingLength() + ") are not the same model");
        }
    }
}
