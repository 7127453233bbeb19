package io.mbllm.engine.heal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.mbllm.engine.eval.EvalException;
import io.mbllm.engine.eval.KlDivergence;
import io.mbllm.engine.eval.KldResult;
import io.mbllm.engine.eval.LogitsBaseFile;
import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.eval.PerplexityResult;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.Parallel;

/**
 * KL divergence and perplexity of a student against the teacher on held-out text, with llama-perplexity's
 * definitions ({@link Perplexity}, {@link KlDivergence}): the teacher's run is saved once as a base file (its
 * 16-bit log-probabilities, in a temporary file deleted on {@link #close()}), then each student variant — with or
 * without adapters — is compared with it chunk by chunk, on the ordinary inference engine.
 */
public final class HeldOutEvaluation implements AutoCloseable {
    private final Path baseFile;
    private final PerplexityResult teacher;
    private final int contextLength, bos;
    private final Parallel pool;

    private HeldOutEvaluation(Path baseFile, PerplexityResult teacher, int contextLength, int bos, Parallel pool) {
        this.baseFile = baseFile;
        this.teacher = teacher;
        this.contextLength = contextLength;
        this.bos = bos;
        this.pool = pool;
    }

    /**
     * Runs the teacher over {@code tokens} in chunks of {@code contextLength} and keeps its distributions.
     *
     * @param bos the chunk-start token ({@link Perplexity#chunkStartToken}), or -1
     * @throws EvalException when the text is shorter than two chunks' worth of context (llama-perplexity's rule)
     */
    public static HeldOutEvaluation of(Model teacher, int[] tokens, int contextLength, int bos, Parallel pool)
            throws IOException, EvalException {
        Perplexity.Plan plan = Perplexity.plan(tokens.length, contextLength);
        Path base = Files.createTempFile("mbllm-heal-", ".kld");
        try {
            PerplexityResult r;
            try (InferenceContext ctx = context(teacher, null, contextLength, pool);
                 LogitsBaseFile.Writer w = LogitsBaseFile.create(base,
                         new LogitsBaseFile.Header(contextLength, teacher.config().vocabSize(), plan.chunks()), tokens)) {
                r = Perplexity.compute(ctx, tokens, contextLength, bos, w, null);
                w.finish();
            }
            return new HeldOutEvaluation(base, r, contextLength, bos, pool);
        } catch (IOException | EvalException | RuntimeException e) {
            Files.deleteIfExists(base);
            throw e;
        }
    }

    private static InferenceContext context(Model m, LoraSet loras, int n, Parallel pool) {
        return m.newContext(ContextOptions.of(n).withMaxBatch(Math.min(n, 512)).withParallel(pool).withLoras(loras));
    }

    /** The teacher's own perplexity on the held-out text. */
    public PerplexityResult teacher() { return teacher; }

    /** Tokens per chunk. */
    public int contextLength() { return contextLength; }

    /** Compares {@code student} (with {@code loras}, or none when null) with the teacher. */
    public KldResult compare(Model student, LoraSet loras) throws IOException, EvalException {
        try (LogitsBaseFile.Reader r = LogitsBaseFile.open(baseFile);
             InferenceContext ctx = context(student, loras, contextLength, pool)) {
            return KlDivergence.compute(ctx, r, bos, null);
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(baseFile);
    }
}
