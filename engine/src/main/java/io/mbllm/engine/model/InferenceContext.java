package io.mbllm.engine.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import java.util.Arrays;

import io.mbllm.engine.lora.LoraMatMul;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.model.Architecture.NormKind;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.ExactMode;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Ops;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.MatMuls;
import io.mbllm.kernels.WeightMatrix;

/**
 * One running sequence of a {@link Model}: the KV cache, the position, and preallocated activation buffers.
 * Tokens go in as a batch (a prompt: every projection is one matrix-matrix product over the batch) or one at a
 * time (generation); both give the same logits. Not thread-safe; one context per conversation. Once its
 * {@link Model} is closed, evaluating throws {@link IllegalStateException}.
 *
 * <p>The forward pass, per block: norm → Q, K, V (separate or fused, optional biases) → optional per-head q/k
 * norm → RoPE → causal attention over the cache with grouped K/V heads → output projection → residual → norm
 * (or, for a parallel-residual block, the attention norm's output) → SwiGLU FFN → residual. Then the output
 * norm and the vocabulary projection. Per-family differences come from {@link Architecture} traits and from
 * which tensors the file has.
 *
 * <p>Memory: the {@link KvCache} (see its formula) plus activations of about
 * {@code maxBatch × (4·n_embd + 3·max(q, kv) + 3·n_ff) + n_head × num_ctx} floats.
 */
public final class InferenceContext implements AutoCloseable {
    private final Model model;
    private final ModelConfig cfg;
    private final ModelWeights w;
    private final int nCtx;
    private final int maxBatch;
    private final Parallel parallel;
    private final boolean ownsParallel;
    private final MatMul matmul;
    private final LoraMatMul lora; // the LoRA adapters (also is matmul), or null
    private final KvCache cache;
    private final Rope rope;
    private final QuantCodec embeddingCodec;

    private int position;

    // activations, [maxBatch][width] row-major
    private final float[] x, xb, attnOut, proj, q, k, v, qkv, gate, up, hidden;
    private final float[] ropeCos, ropeSin;
    private final float[] scores; // [n_head][nCtx]
    private final FlashAttentionF16 flash; // exact mode, else null
    private final float[] logits; // last position
    private float[] batchLogits; // [maxBatch][n_vocab], only for evaluateAll
    private final int[] single = new int[1];
    // per layer, the matrices that share an input (Q,K,V; gate,up), multiplied as one group
    private final WeightMatrix[][] qkvGroup, gateUpGroup;
    private final float[][] qkvOuts, gateUpOuts;

    // state of the layer being attended (read by the attention range body, which is built once)
    private int attLayer, attTokens, attPos0;
    private final Parallel.RangeBody attentionBody = this::attendHeads;
    /** SwiGLU of a batch, split across the pool (the exp per element is worth sharing for a prompt). */
    private final Parallel.RangeBody swigluBody = this::swigluRange;
    private static final int SWIGLU_MIN_CHUNK = 4096;

    InferenceContext(Model model, ContextOptions options) {
        this.model = model;
        this.cfg = model.config();
        this.w = model.weights();
        this.nCtx = options.contextLength();
        this.maxBatch = Math.min(options.maxBatch(), nCtx);
        this.ownsParallel = options.parallel() == null;
        this.parallel = ownsParallel ? Parallel.ofCores() : options.parallel();
        MatMul baseMatMul = options.matMul() != null ? options.matMul() : MatMuls.best(parallel);
        if (options.loras() != null && options.loras().model() != model) {
            throw new IllegalArgumentException("the LoRA adapters are bound to another model");
        }
        this.lora = options.loras() == null ? null : options.loras().newMatMul(baseMatMul, parallel, maxBatch);
        this.matmul = lora != null ? lora : baseMatMul;
        this.cache = new KvCache(cfg, nCtx);
        this.rope = new Rope(cfg.architecture().rope(), cfg.ropeDimensions(), cfg.ropeFreqBase(), cfg.ropeScaling(),
                ropeFactors(w, cfg, nCtx));
        this.embeddingCodec = QuantTypes.codec(w.tokenEmbedding().type());

        int nEmbd = cfg.embeddingLength();
        int maxQ = 0, maxK = 0, maxV = 0, maxO = 0, maxFf = 0, maxHeads = 0;
        for (int l = 0; l < cfg.blockCount(); l++) {
            maxQ = Math.max(maxQ, cfg.queryDim(l));
            maxK = Math.max(maxK, cfg.keyDim(l));
            maxV = Math.max(maxV, cfg.valueDim(l));
            maxO = Math.max(maxO, cfg.headCount(l) * cfg.valueLength());
            maxFf = Math.max(maxFf, cfg.feedForwardLength(l));
            maxHeads = Math.max(maxHeads, cfg.headCount(l));
        }
        boolean fused = w.layers().stream().anyMatch(LayerWeights::fusedQkv);
        boolean fusedFfn = w.layers().stream().anyMatch(lw -> lw.ffnGate() == null);
        int b = maxBatch;
        x = new float[b * nEmbd];
        xb = new float[b * nEmbd];
        proj = new float[b * nEmbd];
        q = new float[b * maxQ];
        k = new float[b * maxK];
        v = new float[b * maxV];
        qkv = fused ? new float[b * (maxQ + maxK + maxV)] : new float[0];
        attnOut = new float[b * maxO];
        gate = new float[b * maxFf];
        up = new float[b * (fusedFfn ? 2 * maxFf : maxFf)];
        hidden = gate; // SwiGLU result overwrites the gate
        int half = cfg.ropeDimensions() / 2;
        ropeCos = new float[b * Math.max(1, half)];
        ropeSin = new float[b * Math.max(1, half)];
        scores = GGML_F16_ATTN ? new float[0] : new float[maxHeads * nCtx];
        flash = GGML_F16_ATTN ? new FlashAttentionF16(maxHeads, cfg.keyLength(), cfg.valueLength()) : null;
        logits = new float[cfg.vocabSize()];
        qkvGroup = new WeightMatrix[cfg.blockCount()][];
        gateUpGroup = new WeightMatrix[cfg.blockCount()][];
        for (int l = 0; l < cfg.blockCount(); l++) {
            LayerWeights lw = w.layers().get(l);
            if (!lw.fusedQkv()) qkvGroup[l] = new WeightMatrix[] {lw.wq(), lw.wk(), lw.wv()};
            if (lw.ffnGate() != null) gateUpGroup[l] = new WeightMatrix[] {lw.ffnGate(), lw.ffnUp()};
        }
        qkvOuts = new float[][] {q, k, v};
        gateUpOuts = new float[][] {gate, up};
    }

    /**
     * Switches the LoRA adapters (and scales) this context applies, for a context built with
     * {@code ContextOptions.withLoras}. The KV cache is not touched: positions already evaluated keep what the
     * previous set gave them, so callers rewind or reset when the set changes.
     *
     * @throws IllegalStateException    when the context was built without adapters
     * @throws IllegalArgumentException when {@code set} is bound to another model
     */
    public void useLoras(LoraSet set) {
        if (lora == null) throw new IllegalStateException("this context was built without LoRA adapters");
        lora.use(set);
    }

    /** The LoRA adapters this context applies, or {@code null} when it was built without. */
    public LoraSet loras() {
        return lora == null ? null : lora.set();
    }

    /** Per-pair RoPE divisors: {@code rope_freqs}, else phi3's long factors beyond the original context, else short. */
    private static float[] ropeFactors(ModelWeights w, ModelConfig cfg, int nCtx) {
        if (w.ropeFreqs() != null) return w.ropeFreqs();
        if (nCtx > cfg.ropeScaling().originalContextLength() && w.ropeLong() != null) return w.ropeLong();
        return w.ropeShort();
    }

    public Model model() { return model; }

    /** Tokens in the context so far (the position of the next token). */
    public int position() { return position; }

    /** {@code num_ctx}. */
    public int contextLength() { return nCtx; }

    /** Largest batch one forward pass takes. */
    public int maxBatch() { return maxBatch; }

    /** Bytes of the KV cache. */
    public long kvCacheBytes() { return cache.bytes(); }

    /** The logits of the last evaluated position (length n_vocab; overwritten by the next call). */
    public float[] logits() { return logits; }

    /**
     * Copies the hidden state of the last position evaluated by {@link #evaluate} or {@link #step} after the
     * output norm (the input of the vocabulary projection; n_embd floats) to {@code out[off ..]}. Used for
     * embeddings; not valid after {@link #evaluateAll}.
     */
    public void lastHidden(float[] out, int off) { System.arraycopy(xb, 0, out, off, cfg.embeddingLength()); }

    /** Forgets every token: the next one goes to position 0. */
    public void reset() { position = 0; }

    /** Forgets the tokens at positions {@code >= newPosition} (keeps the prefix, e.g. a shared prompt). */
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot rewind to " + newPosition + " (position " + position + ")");
        }
        position = newPosition;
    }

    /** Evaluates one token at the current position; returns the logits for the next one. */
    public float[] step(int token) throws ContextOverflowException {
        single[0] = token;
        return evaluate(single, 0, 1);
    }

    /** Evaluates {@code tokens} (a prompt) as batches; returns the logits after the last one. */
    public float[] evaluate(int[] tokens) throws ContextOverflowException {
        return evaluate(tokens, 0, tokens.length);
    }

    /** Evaluates {@code tokens[from .. from+count)}; returns the logits after the last one. */
    public float[] evaluate(int[] tokens, int from, int count) throws ContextOverflowException {
        run(tokens, from, count, null);
        return logits;
    }

    /**
     * Evaluates {@code tokens[from .. from+count)} and writes the logits after every one of them to
     * {@code out[i * n_vocab ...]} (for perplexity and teacher forcing). {@link #logits()} then holds the last.
     */
    public void evaluateAll(int[] tokens, int from, int count, float[] out) throws ContextOverflowException {
        if (out.length < (long) count * cfg.vocabSize()) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, needs " + (long) count * cfg.vocabSize());
        }
        if (batchLogits == null) batchLogits = new float[maxBatch * cfg.vocabSize()];
        run(tokens, from, count, out);
    }

    private void run(int[] tokens, int from, int count, float[] allOut) throws ContextOverflowException {
        model.checkOpen();
        if (count < 1) throw new IllegalArgumentException("no tokens to evaluate");
        if (from < 0 || from + count > tokens.length) throw new IndexOutOfBoundsException("tokens[" + from + ", " + (from + count) + ") of " + tokens.length);
        if (count > nCtx - position) throw new ContextOverflowException(position, count, nCtx);
        int nVocab = cfg.vocabSize();
        for (int i = from; i < from + count; i++) {
            if (tokens[i] < 0 || tokens[i] >= nVocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " out of range [0, " + nVocab + ")");
            }
        }
        for (int done = 0; done < count; done += maxBatch) {
            int n = Math.min(maxBatch, count - done);
            forward(tokens, from + done, n, allOut, done);
        }
    }

    /** One forward pass over {@code n <= maxBatch} tokens at positions {@code position ..}. */
    private void forward(int[] tokens, int from, int n, float[] allOut, int outRow) {
        int nEmbd = cfg.embeddingLength();
        int pos0 = position;
        WeightMatrix embd = w.tokenEmbedding();
        for (int t = 0; t < n; t++) {
            embeddingCodec.dequantizeRow(embd.data(), tokens[from + t] * embd.rowBytes(), x, t * nEmbd, nEmbd);
        }
        if (lora != null) lora.addToEmbeddings(tokens, from, n, x);
        int half = rope.dimensions() / 2;
        for (int t = 0; t < n; t++) rope.angles(pos0 + t, ropeCos, ropeSin, t * half);

        for (int l = 0; l < cfg.blockCount(); l++) {
            LayerWeights lw = w.layers().get(l);
            // attention
            for (int t = 0; t < n; t++) norm(x, t * nEmbd, lw.attnNorm(), lw.attnNormBias(), xb, t * nEmbd, nEmbd);
            projectQkv(l, lw, n);
            positionQk(l, lw, n);
            storeKv(l, n, pos0);
            attention(l, n, pos0);
            matmul.matmul(lw.wo(), attnOut, n, proj);
            if (lw.bo() != null) Ops.addBias(lw.bo(), proj, n, nEmbd);
            Ops.add(proj, 0, x, 0, n * nEmbd);
            // feed-forward: input is the normed residual, or the attention norm's output (parallel residual)
            if (!lw.parallelResidual()) {
                for (int t = 0; t < n; t++) norm(x, t * nEmbd, lw.ffnNorm(), lw.ffnNormBias(), xb, t * nEmbd, nEmbd);
            }
            feedForward(l, lw, n);
            Ops.add(proj, 0, x, 0, n * nEmbd);
        }
        position = pos0 + n;

        // head: the last position only, or every position
        int nVocab = cfg.vocabSize();
        if (allOut == null) {
            norm(x, (n - 1) * nEmbd, w.outputNorm(), w.outputNormBias(), xb, 0, nEmbd);
            matmul.matmul(w.output(), xb, 1, logits);
            if (w.outputBias() != null) Ops.add(w.outputBias(), 0, logits, 0, nVocab);
        } else {
            for (int t = 0; t < n; t++) norm(x, t * nEmbd, w.outputNorm(), w.outputNormBias(), xb, t * nEmbd, nEmbd);
            matmul.matmul(w.output(), xb, n, batchLogits);
            if (w.outputBias() != null) Ops.addBias(w.outputBias(), batchLogits, n, nVocab);
            System.arraycopy(batchLogits, 0, allOut, outRow * nVocab, n * nVocab);
            System.arraycopy(batchLogits, (n - 1) * nVocab, logits, 0, nVocab);
        }
    }

    /** The family's norm (RMSNorm, or LayerNorm with optional bias) of one row. */
    private void norm(float[] in, int inOff, float[] weight, float[] bias, float[] out, int outOff, int len) {
        if (cfg.architecture().norm() == NormKind.RMS) {
            Ops.rmsNorm(in, inOff, weight, 0, out, outOff, len, cfg.normEpsilon());
        } else {
            Ops.layerNorm(in, inOff, weight, 0, bias, 0, out, outOff, len, cfg.normEpsilon());
        }
    }

    /** Q, K, V for the batch in {@code xb}: separate matrices or one fused matrix split row by row. */
    private void projectQkv(int l, LayerWeights lw, int n) {
        int qDim = cfg.queryDim(l), kDim = cfg.keyDim(l), vDim = cfg.valueDim(l);
        if (lw.fusedQkv()) {
            int width = qDim + kDim + vDim;
            matmul.matmul(lw.wqkv(), xb, n, qkv);
            if (lw.bqkv() != null) Ops.addBias(lw.bqkv(), qkv, n, width);
            for (int t = 0; t < n; t++) {
                System.arraycopy(qkv, t * width, q, t * qDim, qDim);
                System.arraycopy(qkv, t * width + qDim, k, t * kDim, kDim);
                System.arraycopy(qkv, t * width + qDim + kDim, v, t * vDim, vDim);
            }
        } else {
            matmul.matmulAll(qkvGroup[l], 3, xb, n, qkvOuts);
            if (lw.bq() != null) Ops.addBias(lw.bq(), q, n, qDim);
            if (lw.bk() != null) Ops.addBias(lw.bk(), k, n, kDim);
            if (lw.bv() != null) Ops.addBias(lw.bv(), v, n, vDim);
        }
    }

    /** Optional per-head q/k norm, then RoPE on every query and key head. */
    private void positionQk(int l, LayerWeights lw, int n) {
        int hd = cfg.keyLength();
        int nHead = cfg.headCount(l), nHeadKv = cfg.headCountKv(l);
        int half = rope.dimensions() / 2;
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < nHead; h++) {
                int off = (t * nHead + h) * hd;
                if (lw.qNorm() != null) headNorm(q, off, lw.qNorm(), h, hd);
                rope.rotate(q, off, ropeCos, ropeSin, t * half);
            }
            for (int h = 0; h < nHeadKv; h++) {
                int off = (t * nHeadKv + h) * hd;
                if (lw.kNorm() != null) headNorm(k, off, lw.kNorm(), h, hd);
                rope.rotate(k, off, ropeCos, ropeSin, t * half);
            }
        }
    }

    /** Norm of one head in place; the weight is shared by all heads or given per head. */
    private void headNorm(float[] a, int off, float[] weight, int head, int hd) {
        int wOff = weight.length == hd ? 0 : head * hd;
        if (cfg.architecture().norm() == NormKind.RMS) {
            Ops.rmsNorm(a, off, weight, wOff, a, off, hd, cfg.normEpsilon());
        } else {
            Ops.layerNorm(a, off, weight, wOff, null, 0, a, off, hd, cfg.normEpsilon());
        }
    }

    private void storeKv(int l, int n, int pos0) {
        int kDim = cfg.keyDim(l), vDim = cfg.valueDim(l);
        if (KvCache.F16) { // rounded to nearest-even, as ggml's F32 -> F16 copy into its cache
            MemorySegment kc = cache.keys16[l], vc = cache.values16[l];
            long ko = (long) pos0 * kDim, vo = (long) pos0 * vDim;
            for (int i = 0; i < n * kDim; i++) kc.setAtIndex(ValueLayout.JAVA_SHORT, ko + i, Float.floatToFloat16(k[i]));
            for (int i = 0; i < n * vDim; i++) vc.setAtIndex(ValueLayout.JAVA_SHORT, vo + i, Float.floatToFloat16(v[i]));
        } else {
            System.arraycopy(k, 0, cache.keys[l], pos0 * kDim, n * kDim);
            System.arraycopy(v, 0, cache.values[l], pos0 * vDim, n * vDim);
        }
    }

    /** {@link ExactMode#ATTENTION}: F16 K/V and llama.cpp's CPU flash attention ({@link FlashAttentionF16}). */
    private static final boolean GGML_F16_ATTN = KvCache.F16;

    private void attention(int l, int n, int pos0) {
        attLayer = l;
        attTokens = n;
        attPos0 = pos0;
        parallel.forRange(cfg.headCount(l), 1, attentionBody);
    }

    /**
     * Causal attention for query heads {@code [from, to)} of every token in the batch: token {@code t} sees
     * positions {@code 0 .. pos0+t}; query head {@code h} reads K/V head {@code h / (n_head / n_head_kv)}.
     */
    private void attendHeads(int from, int to) {
        int l = attLayer, n = attTokens, pos0 = attPos0;
        int hdK = cfg.keyLength(), hdV = cfg.valueLength();
        int nHead = cfg.headCount(l), group = nHead / cfg.headCountKv(l);
        int qDim = cfg.queryDim(l), kDim = cfg.keyDim(l), vDim = cfg.valueDim(l), oDim = nHead * hdV;
        float scale = GGML_F16_ATTN ? 1.0f / (float) Math.sqrt(hdK) : (float) (1.0 / Math.sqrt(hdK));
        float[] keys = GGML_F16_ATTN ? null : cache.keys[l], values = GGML_F16_ATTN ? null : cache.values[l];
        MemorySegment keys16 = GGML_F16_ATTN ? cache.keys16[l] : null, values16 = GGML_F16_ATTN ? cache.values16[l] : null;
        for (int h = from; h < to; h++) {
            int kvh = h / group;
            int sOff = h * nCtx;
            for (int t = 0; t < n; t++) {
                int len = pos0 + t + 1;
                int qOff = t * qDim + h * hdK;
                if (GGML_F16_ATTN) {
                    flash.attend(h, q, qOff, keys16, values16, len, kvh * hdK, kvh * hdV, kDim, vDim, hdK, hdV, scale,
                            attnOut, t * oDim + h * hdV);
                    continue;
                }
                for (int s = 0; s < len; s++) {
                    scores[sOff + s] = Ops.dot(q, qOff, keys, s * kDim + kvh * hdK, hdK) * scale;
                }
                Ops.softmax(scores, sOff, len);
                int oOff = t * oDim + h * hdV;
                Arrays.fill(attnOut, oOff, oOff + hdV, 0f);
                for (int s = 0; s < len; s++) {
                    Ops.axpy(scores[sOff + s], values, s * vDim + kvh * hdV, attnOut, oOff, hdV);
                }
            }
        }
    }

    /** SwiGLU feed-forward of {@code xb} into {@code proj}: down(silu(gate(x)) * up(x)). */
    private void feedForward(int l, LayerWeights lw, int n) {
        int nFf = cfg.feedForwardLength(l), nEmbd = cfg.embeddingLength();
        if (lw.ffnGate() != null) {
            matmul.matmulAll(gateUpGroup[l], 2, xb, n, gateUpOuts);
            if (lw.ffnGateBias() != null) Ops.addBias(lw.ffnGateBias(), gate, n, nFf);
            if (lw.ffnUpBias() != null) Ops.addBias(lw.ffnUpBias(), up, n, nFf);
            if (n > 1) {
                parallel.forRange(n * nFf, SWIGLU_MIN_CHUNK, swigluBody);
            } else {
                Ops.swiglu(gate, 0, up, 0, hidden, 0, nFf);
            }
        } else {
            // fused: each row of the up projection is [gate | up]
            matmul.matmul(lw.ffnUp(), xb, n, up);
            if (lw.ffnUpBias() != null) Ops.addBias(lw.ffnUpBias(), up, n, 2 * nFf);
            for (int t = 0; t < n; t++) Ops.swiglu(up, t * 2 * nFf, up, t * 2 * nFf + nFf, hidden, t * nFf, nFf);
        }
        matmul.matmul(lw.ffnDown(), hidden, n, proj);
        if (lw.ffnDownBias() != null) Ops.addBias(lw.ffnDownBias(), proj, n, nEmbd);
    }

    private void swigluRange(int from, int to) {
        Ops.swiglu(gate, from, up, from, hidden, from, to - from);
    }

    @Override
    public void close() {
        if (ownsParallel) parallel.close();
        cache.close();
    }
}
