package io.mbllm.engine.heal;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

import io.mbllm.engine.train.LogSumExp;
import io.mbllm.engine.train.TrainBatch;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.ContextOverflowException;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.Parallel;

/**
 * The teacher's next-token distributions at temperature T, {@code log softmax(z_teacher / T)} at every position of
 * a training batch, computed with the ordinary inference engine (the teacher's own weights, F32 or F16) — each
 * sequence of a batch from position 0 with a cleared cache.
 *
 * <p>Memory: full rows, {@code 4 · n_vocab} bytes per token. When all training batches fit in {@code cacheBytes}
 * they are computed once ({@link #prepare}) and kept; otherwise each batch is recomputed when the trainer asks for
 * it (one teacher forward per batch and step) into one reused buffer, so memory stays at one batch whatever the
 * data size. Full rows rather than a top-k keep the loss exact for the vocabularies in reach here (512 to 32k).
 */
public final class TeacherDistributions implements AutoCloseable {
    private final InferenceContext ctx;
    private final float temperature;
    private final int nVocab;
    private final long cacheBytes;
    private final Map<TrainBatch, float[]> cache = new IdentityHashMap<>(); // by identity: no hashing of the tokens
    private float[] scratch;
    private float[] streaming;
    private boolean cached;

    /**
     * @param maxSeqLen  longest training sequence
     * @param cacheBytes most bytes to keep for all batches' distributions
     */
    public TeacherDistributions(Model teacher, float temperature, int maxSeqLen, long cacheBytes, Parallel pool) {
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a positive number, got " + temperature);
        }
        this.temperature = temperature;
        this.nVocab = teacher.config().vocabSize();
        this.cacheBytes = cacheBytes;
        this.ctx = teacher.newContext(ContextOptions.of(maxSeqLen).withMaxBatch(maxSeqLen).withParallel(pool));
    }

    /** T. */
    public float temperature() { return temperature; }

    /** Bytes the distributions of {@code batches} take. */
    public long bytesFor(List<TrainBatch> batches) {
        long rows = 0;
        for (var b : batches) rows += b.rows();
        return rows * nVocab * Float.BYTES;
    }

    /**
     * Computes and keeps the distributions of every batch when they fit the cache budget (calling
     * {@code progress} with each batch index done); returns true when cached, false when they will be streamed.
     */
    public boolean prepare(List<TrainBatch> batches, IntConsumer progress) {
        if (bytesFor(batches) > cacheBytes) return cached = false;
        for (int i = 0; i < batches.size(); i++) {
            var b = batches.get(i);
            float[] out = new float[b.rows() * nVocab];
            compute(b, out);
            cache.put(b, out);
            if (progress != null) progress.accept(i + 1);
        }
        return cached = true;
    }

    /** True when {@link #prepare} kept everything. */
    public boolean cached() { return cached; }

    /** The rows of {@code log p} for {@code batch} ({@code rows × n_vocab}); a streamed result is reused by the next call. */
    public float[] logProbs(TrainBatch batch) {
        float[] c = cache.get(batch);
        if (c != null) return c;
        int need = batch.rows() * nVocab;
        if (streaming == null || streaming.length < need) streaming = new float[need];
        compute(batch, streaming);
        return streaming;
    }

    private void compute(TrainBatch b, float[] out) {
        int maxLen = b.maxLength();
        if (scratch == null || scratch.length < maxLen * nVocab) scratch = new float[maxLen * nVocab];
        for (int s = 0; s < b.sequences(); s++) {
            int start = b.start()[s], len = b.length()[s];
            ctx.reset();
            try {
                ctx.evaluateAll(b.tokens(), start, len, scratch);
            } catch (ContextOverflowException e) {
                throw new IllegalArgumentException("a training sequence of " + len + " tokens does not fit the teacher's context", e);
            }
            for (int t = 0; t < len; t++) logSoftmax(scratch, t * nVocab, out, (start + t) * nVocab, nVocab, temperature);
        }
    }

    /** {@code out = log softmax(z / T)} of one row ({@link LogSumExp}, in double). */
    static void logSoftmax(float[] z, int off, float[] out, int outOff, int n, float t) {
        float inv = 1f / t;
        double lse = LogSumExp.scaled(z, off, n, inv);
        for (int i = 0; i < n; i++) out[outOff + i] = (float) ((double) z[off + i] * inv - lse);
    }

    @Override
    public void close() {
        ctx.close();
    }
}
