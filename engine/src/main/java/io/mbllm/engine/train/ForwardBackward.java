package io.mbllm.engine.train;

import java.util.Arrays;

import io.mbllm.engine.model.Architecture;
import io.mbllm.engine.model.LayerWeights;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelConfig;
import io.mbllm.engine.model.ModelWeights;
import io.mbllm.engine.model.RopeScaling;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/**
 * The training forward and backward pass of a decoder-only model with LoRA adapters on its block matrices:
 * {@code lin(W, x) = W·x + b + s·B·(A·x)}, {@code s = alpha/r}; the base weights are frozen and memory-mapped
 * ({@link FrozenLinear}), gradients flow only into A and B. Covered: llama (RMSNorm, NORM RoPE), qwen2 (q/k/v
 * biases, NEOX RoPE) and stablelm (LayerNorm with bias, partial NEOX RoPE) with separate Q/K/V and gate/up
 * matrices, any biases, grouped-query attention and tied or separate output. Not covered (refused with a
 * message): fused QKV or gate/up (phi3), per-head q/k norms (qwen3, some stablelm), parallel residual, YaRN.
 *
 * <p>Memory: activations are recomputed per block. The forward keeps only each block's input (the residual
 * stream); the backward recomputes one block at a time and recomputes attention probabilities row by row, so
 * nothing grows with seq-len² or with the product layers × width. Per token of a batch it holds
 * {@value #FORMULA} bytes ({@link #bytesPerToken}), plus fixed {@code 4·64·n_vocab} bytes for the logits of a
 * 64-row head chunk and {@code 8·max_len} bytes per (sequence, KV head) of attention scratch.
 *
 * <p>Not thread-safe: one per training run; buffers are sized for the largest batch seen and reused.
 */
public final class ForwardBackward {
    /** Bytes of activations per token, as stated in the class doc and in {@code mbllm finetune --help}. */
    public static final String FORMULA = "4·((n_layer + 8)·n_embd + 2·(q + k + v + o) + 6·n_ff + 8·r + 7)";
    private static final int HEAD_CHUNK = 64;

    private final ModelConfig cfg;
    private final ModelWeights w;
    private final LoraLayout layout;
    private final float scale;
    private final Parallel pool;
    private final int nLayer, nEmbd, nVocab, rank;
    private final boolean layerNorm, neox;
    private final int nRot;
    private final double[] invFreq;
    private final FrozenLinear[][] lin; // [layer][target]
    private final LoraLayout.Slot[][] slots; // [layer][target], null when not adapted
    private final FrozenLinear output;
    private final WeightMatrix embd;
    private final QuantCodec embdCodec;
    private final int maxQ, maxK, maxV, maxO, maxFf;

    // per-batch buffers
    private int capTokens, capLen, capTasks;
    private float[][] ckpt;
    private float[] h1, st1, q, k, v, ao, x2, h2, st2, g, u, a;
    private float[][] ax;
    private float[] dx, dx2, dh, dq, dk, dv, dao, dg, du, da, bdy;
    private float[] hf, stF, logits;
    private float[] ropeCos, ropeSin;
    private float[][] attScratch;
    private final double[] dbAcc; // dB sums of one matrix, [n_out][r]
    private int[] pos;
    private int ropeLen;

    // state of the parallel attention sections
    private TrainBatch curBatch;
    private int curLayer;
    private final Parallel.RangeBody attForward = this::attentionTasks;
    private final Parallel.RangeBody attBackward = this::attentionBackwardTasks;

    /**
     * @throws IllegalArgumentException when the model's architecture or layout is not covered (see the class doc)
     */
    public ForwardBackward(Model model, LoraLayout layout, float alpha, Parallel pool) {
        this.cfg = model.config();
        this.w = model.weights();
        this.layout = layout;
        this.rank = layout.rank();
        this.scale = alpha / rank;
        this.pool = pool;
        this.nLayer = cfg.blockCount();
        this.nEmbd = cfg.embeddingLength();
        this.nVocab = cfg.vocabSize();
        Architecture arch = cfg.architecture();
        this.layerNorm = arch.norm() == Architecture.NormKind.LAYER;
        this.neox = arch.rope() == Architecture.RopeType.NEOX;
        this.nRot = cfg.ropeDimensions();
        requireSupported(model);
        RopeScaling rs = cfg.ropeScaling();
        float freqScale = rs.type() == RopeScaling.Type.LINEAR ? rs.freqScale() : 1f;
        this.invFreq = new double[nRot / 2];
        for (int i = 0; i < nRot / 2; i++) {
            double f = freqScale * Math.pow(cfg.ropeFreqBase(), -2.0 * i / nRot);
            if (w.ropeFreqs() != null) f /= w.ropeFreqs()[i];
            invFreq[i] = f;
        }
        this.lin = new FrozenLinear[nLayer][LoraTarget.values().length];
        this.slots = new LoraLayout.Slot[nLayer][LoraTarget.values().length];
        int mq = 0, mk = 0, mv = 0, mo = 0, mf = 0;
        for (int l = 0; l < nLayer; l++) {
            LayerWeights lw = w.layers().get(l);
            WeightMatrix[] m = {lw.wq(), lw.wk(), lw.wv(), lw.wo(), lw.ffnGate(), lw.ffnUp(), lw.ffnDown()};
            for (LoraTarget t : LoraTarget.values()) {
                lin[l][t.ordinal()] = new FrozenLinear(m[t.ordinal()]);
                slots[l][t.ordinal()] = layout.find(l, t);
            }
            mq = Math.max(mq, cfg.queryDim(l));
            mk = Math.max(mk, cfg.keyDim(l));
            mv = Math.max(mv, cfg.valueDim(l));
            mo = Math.max(mo, cfg.headCount(l) * cfg.valueLength());
            mf = Math.max(mf, cfg.feedForwardLength(l));
        }
        for (LoraLayout.Slot s : layout.slots()) {
            FrozenLinear f = lin[s.layer()][s.target().ordinal()];
            if (f.inputs() != s.nIn() || f.outputs() != s.nOut()) {
                throw new IllegalArgumentException(s.baseName() + " is " + f.outputs() + "×" + f.inputs() + ", the adapter layout says " + s.nOut() + "×" + s.nIn());
            }
        }
        this.maxQ = mq;
        this.maxK = mk;
        this.maxV = mv;
        this.maxO = mo;
        this.maxFf = mf;
        int maxOut = Math.max(Math.max(mq, mk), Math.max(Math.max(mv, nEmbd), mf));
        this.dbAcc = new double[maxOut * rank];
        this.output = new FrozenLinear(w.output());
        this.embd = w.tokenEmbedding();
        this.embdCodec = QuantTypes.codec(embd.type());
    }

    private void requireSupported(Model model) {
        String name = cfg.architecture().ggufName();
        if (cfg.ropeScaling().type() == RopeScaling.Type.YARN) {
            throw new IllegalArgumentException("training does not support YaRN RoPE scaling (" + name + ")");
        }
        if (w.ropeLong() != null || w.ropeShort() != null) throw new IllegalArgumentException("training does not support long-rope factors (" + name + ")");
        for (LayerWeights lw : w.layers()) {
            if (lw.fusedQkv()) throw new IllegalArgumentException("training does not support fused QKV matrices (" + name + ")");
            if (lw.ffnGate() == null) throw new IllegalArgumentException("training does not support a fused gate/up matrix (" + name + ")");
            if (lw.qNorm() != null) throw new IllegalArgumentException("training does not support per-head q/k norms (" + name + ")");
            if (lw.parallelResidual()) throw new IllegalArgumentException("training does not support parallel-residual blocks (" + name + ")");
        }
    }

    /** The adapter layout trained. */
    public LoraLayout layout() { return layout; }

    /** {@code alpha / r}. */
    public float scale() { return scale; }

    /** Activation bytes per token of a batch (the formula {@link #FORMULA}). */
    public static long bytesPerToken(ModelConfig cfg, int rank) {
        int q = 0, k = 0, v = 0, o = 0, f = 0;
        for (int l = 0; l < cfg.blockCount(); l++) {
            q = Math.max(q, cfg.queryDim(l));
            k = Math.max(k, cfg.keyDim(l));
            v = Math.max(v, cfg.valueDim(l));
            o = Math.max(o, cfg.headCount(l) * cfg.valueLength());
            f = Math.max(f, cfg.feedForwardLength(l));
        }
        return 4L * ((long) (cfg.blockCount() + 8) * cfg.embeddingLength() + 2L * (q + k + v + o) + 6L * f + 8L * rank + 7);
    }

    private void ensureCapacity(TrainBatch b) {
        int n = b.rows(), len = b.maxLength();
        int tasks = b.sequences() * maxHeadsKv();
        if (n > capTokens) {
            capTokens = n;
            ckpt = new float[nLayer + 1][n * nEmbd];
            h1 = new float[n * nEmbd];
            x2 = new float[n * nEmbd];
            h2 = new float[n * nEmbd];
            hf = new float[n * nEmbd];
            dx = new float[n * nEmbd];
            dx2 = new float[n * nEmbd];
            dh = new float[n * nEmbd];
            st1 = new float[2 * n];
            st2 = new float[2 * n];
            stF = new float[2 * n];
            q = new float[n * maxQ];
            dq = new float[n * maxQ];
            k = new float[n * maxK];
            dk = new float[n * maxK];
            v = new float[n * maxV];
            dv = new float[n * maxV];
            ao = new float[n * maxO];
            dao = new float[n * maxO];
            g = new float[n * maxFf];
            u = new float[n * maxFf];
            a = new float[n * maxFf];
            dg = new float[n * maxFf];
            du = new float[n * maxFf];
            da = new float[n * maxFf];
            ax = new float[LoraTarget.values().length][n * rank];
            bdy = new float[n * rank];
            pos = new int[n];
            if (logits == null) logits = new float[HEAD_CHUNK * nVocab];
        }
        if (len > capLen || tasks > capTasks) {
            capLen = Math.max(capLen, len);
            capTasks = Math.max(capTasks, tasks);
            attScratch = new float[capTasks][2 * capLen];
        }
        if (len > ropeLen) {
            ropeLen = len;
            int half = nRot / 2;
            ropeCos = new float[len * Math.max(1, half)];
            ropeSin = new float[len * Math.max(1, half)];
            for (int p = 0; p < len; p++) {
                for (int i = 0; i < half; i++) {
                    double theta = p * invFreq[i];
                    ropeCos[p * half + i] = (float) Math.cos(theta);
                    ropeSin[p * half + i] = (float) Math.sin(theta);
                }
            }
        }
    }

    /** Bytes of the per-token buffers allocated now, divided by the tokens they hold (checks {@link #FORMULA}). */
    long allocatedBytesPerToken() {
        if (capTokens == 0) return 0;
        long floats = 0;
        for (float[] c : ckpt) floats += c.length;
        for (float[] b : new float[][] {h1, x2, h2, hf, dx, dx2, dh, st1, st2, stF, q, dq, k, dk, v, dv, ao, dao, g, u, a, dg, du, da, bdy}) {
            floats += b.length;
        }
        for (float[] b : ax) floats += b.length;
        floats += pos.length; // ints, 4 bytes each
        return 4 * floats / capTokens;
    }

    private int maxHeadsKv() {
        int m = 0;
        for (int l = 0; l < nLayer; l++) m = Math.max(m, cfg.headCountKv(l));
        return m;
    }

    /**
     * Forward and backward over {@code batch}: adds {@code weight · d(Σ row losses)/dθ} to {@code grad} (same
     * layout as {@code params}) and returns the sum of the row losses (unweighted).
     */
    public double accumulate(TrainBatch batch, float[] params, float[] grad, TokenLoss loss, float weight) {
        return run(batch, params, grad, loss, weight, true);
    }

    /** Forward only: the sum of the row losses of {@code batch}. */
    public double evaluate(TrainBatch batch, float[] params, TokenLoss loss) {
        return run(batch, params, null, loss, 0f, false);
    }

    private double run(TrainBatch batch, float[] params, float[] grad, TokenLoss loss, float weight, boolean backward) {
        if (params.length < layout.size() || (grad != null && grad.length < layout.size())) {
            throw new IllegalArgumentException("parameter arrays are smaller than the layout (" + layout.size() + ")");
        }
        for (int t : batch.tokens()) {
            if (t < 0 || t >= nVocab) throw new IllegalArgumentException("token id " + t + " out of range [0, " + nVocab + ")");
        }
        ensureCapacity(batch);
        curBatch = batch;
        int n = batch.rows();
        for (int s = 0; s < batch.sequences(); s++) {
            for (int p = 0; p < batch.length()[s]; p++) pos[batch.start()[s] + p] = p;
        }
        // embeddings (frozen, no gradient)
        for (int t = 0; t < n; t++) {
            embdCodec.dequantizeRow(embd.data(), batch.tokens()[t] * embd.rowBytes(), ckpt[0], t * nEmbd, nEmbd);
        }
        for (int l = 0; l < nLayer; l++) layerForward(l, n, params, ckpt[l], ckpt[l + 1]);
        // head: final norm, then the vocabulary projection and the loss chunk by chunk
        float[] xf = ckpt[nLayer];
        for (int t = 0; t < n; t++) norm(xf, t, w.outputNorm(), w.outputNormBias(), hf, stF);
        if (backward) Arrays.fill(dh, 0, n * nEmbd, 0f);
        double total = 0;
        for (int c0 = 0; c0 < n; c0 += HEAD_CHUNK) {
            int m = Math.min(HEAD_CHUNK, n - c0);
            output.forward(pool, hf, c0 * nEmbd, m, logits, 0);
            if (w.outputBias() != null) for (int t = 0; t < m; t++) FloatMath.axpy(1f, w.outputBias(), 0, logits, t * nVocab, nVocab);
            for (int t = 0; t < m; t++) {
                int row = c0 + t;
                if (loss.scores(batch, row)) {
                    total += loss.lossAndGradient(batch, row, logits, t * nVocab, nVocab, weight);
                } else {
                    Arrays.fill(logits, t * nVocab, (t + 1) * nVocab, 0f);
                }
            }
            if (backward) output.backwardInput(pool, logits, 0, m, dh, c0 * nEmbd);
        }
        if (!backward) return total;
        Arrays.fill(dx, 0, n * nEmbd, 0f);
        for (int t = 0; t < n; t++) normBackward(xf, t, w.outputNorm(), stF, dh, dx);
        for (int l = nLayer - 1; l >= 0; l--) {
            layerForward(l, n, params, ckpt[l], null); // recompute this block's activations
            layerBackward(l, n, params, grad, ckpt[l]);
        }
        curBatch = null;
        return total;
    }

    private void norm(float[] x, int t, float[] weight, float[] bias, float[] y, float[] st) {
        if (layerNorm) {
            TrainOps.layerNorm(x, t * nEmbd, weight, bias, y, t * nEmbd, nEmbd, cfg.normEpsilon(), st, 2 * t);
        } else {
            st[2 * t + 1] = TrainOps.rmsNorm(x, t * nEmbd, weight, y, t * nEmbd, nEmbd, cfg.normEpsilon());
        }
    }

    private void normBackward(float[] x, int t, float[] weight, float[] st, float[] dy, float[] dxOut) {
        if (layerNorm) {
            TrainOps.layerNormBackward(x, t * nEmbd, weight, st[2 * t], st[2 * t + 1], dy, t * nEmbd, dxOut, t * nEmbd, nEmbd);
        } else {
            TrainOps.rmsNormBackward(x, t * nEmbd, weight, st[2 * t + 1], dy, t * nEmbd, dxOut, t * nEmbd, nEmbd);
        }
    }

    /**
     * One block on the residual stream {@code x}: writes the block's output to {@code out}, or, when
     * {@code out} is null (recompute for the backward), stops after the SwiGLU (the down projection's input).
     */
    private void layerForward(int l, int n, float[] params, float[] x, float[] out) {
        LayerWeights lw = w.layers().get(l);
        int qDim = cfg.queryDim(l), kDim = cfg.keyDim(l), vDim = cfg.valueDim(l), nFf = cfg.feedForwardLength(l);
        for (int t = 0; t < n; t++) norm(x, t, lw.attnNorm(), lw.attnNormBias(), h1, st1);
        linear(l, LoraTarget.Q, params, h1, n, q, lw.bq());
        linear(l, LoraTarget.K, params, h1, n, k, lw.bk());
        linear(l, LoraTarget.V, params, h1, n, v, lw.bv());
        int hd = cfg.keyLength(), half = nRot / 2;
        int nHead = cfg.headCount(l), nHeadKv = cfg.headCountKv(l);
        for (int t = 0; t < n; t++) {
            int ao0 = pos[t] * half;
            for (int h = 0; h < nHead; h++) TrainOps.rope(q, t * qDim + h * hd, ropeCos, ropeSin, ao0, nRot, neox);
            for (int h = 0; h < nHeadKv; h++) TrainOps.rope(k, t * kDim + h * hd, ropeCos, ropeSin, ao0, nRot, neox);
        }
        curLayer = l;
        pool.forRange(curBatch.sequences() * nHeadKv, 1, attForward);
        linear(l, LoraTarget.O, params, ao, n, x2, lw.bo());
        for (int i = 0; i < n * nEmbd; i++) x2[i] += x[i];
        for (int t = 0; t < n; t++) norm(x2, t, lw.ffnNorm(), lw.ffnNormBias(), h2, st2);
        linear(l, LoraTarget.GATE, params, h2, n, g, lw.ffnGateBias());
        linear(l, LoraTarget.UP, params, h2, n, u, lw.ffnUpBias());
        TrainOps.swiglu(g, u, a, 0, n * nFf);
        if (out == null) {
            loraInput(l, LoraTarget.DOWN, params, a, n); // the backward needs A·a, not the product itself
            return;
        }
        linear(l, LoraTarget.DOWN, params, a, n, out, lw.ffnDownBias());
        for (int i = 0; i < n * nEmbd; i++) out[i] += x2[i];
    }

    /** {@code dx} holds dL/d(block output); leaves dL/d(block input) there, and adds the adapter gradients. */
    private void layerBackward(int l, int n, float[] params, float[] grad, float[] x) {
        LayerWeights lw = w.layers().get(l);
        int qDim = cfg.queryDim(l), kDim = cfg.keyDim(l), vDim = cfg.valueDim(l), nFf = cfg.feedForwardLength(l);
        int oDim = cfg.headCount(l) * cfg.valueLength();
        // FFN: out = x2 + down(silu(gate(h2)) * up(h2))
        Arrays.fill(da, 0, n * nFf, 0f);
        linearBackward(l, LoraTarget.DOWN, params, grad, a, dx, n, da);
        TrainOps.swigluBackward(g, u, da, dg, du, 0, n * nFf);
        Arrays.fill(dh, 0, n * nEmbd, 0f);
        linearBackward(l, LoraTarget.GATE, params, grad, h2, dg, n, dh);
        linearBackward(l, LoraTarget.UP, params, grad, h2, du, n, dh);
        System.arraycopy(dx, 0, dx2, 0, n * nEmbd);
        for (int t = 0; t < n; t++) normBackward(x2, t, lw.ffnNorm(), st2, dh, dx2);
        // attention: x2 = x + o(attn(rope(q(h1)), rope(k(h1)), v(h1)))
        Arrays.fill(dao, 0, n * oDim, 0f);
        linearBackward(l, LoraTarget.O, params, grad, ao, dx2, n, dao);
        Arrays.fill(dq, 0, n * qDim, 0f);
        Arrays.fill(dk, 0, n * kDim, 0f);
        Arrays.fill(dv, 0, n * vDim, 0f);
        curLayer = l;
        pool.forRange(curBatch.sequences() * cfg.headCountKv(l), 1, attBackward);
        int hd = cfg.keyLength(), half = nRot / 2;
        for (int t = 0; t < n; t++) {
            int ao0 = pos[t] * half;
            for (int h = 0; h < cfg.headCount(l); h++) TrainOps.ropeBackward(dq, t * qDim + h * hd, ropeCos, ropeSin, ao0, nRot, neox);
            for (int h = 0; h < cfg.headCountKv(l); h++) TrainOps.ropeBackward(dk, t * kDim + h * hd, ropeCos, ropeSin, ao0, nRot, neox);
        }
        Arrays.fill(dh, 0, n * nEmbd, 0f);
        linearBackward(l, LoraTarget.Q, params, grad, h1, dq, n, dh);
        linearBackward(l, LoraTarget.K, params, grad, h1, dk, n, dh);
        linearBackward(l, LoraTarget.V, params, grad, h1, dv, n, dh);
        System.arraycopy(dx2, 0, dx, 0, n * nEmbd);
        for (int t = 0; t < n; t++) normBackward(x, t, lw.attnNorm(), st1, dh, dx);
    }

    /** Attention tasks {@code (sequence, kv head)} in {@code [from, to)} of the current layer. */
    private void attentionTasks(int from, int to) {
        attention(from, to, false);
    }

    private void attentionBackwardTasks(int from, int to) {
        attention(from, to, true);
    }

    private void attention(int from, int to, boolean backward) {
        int l = curLayer;
        int nHead = cfg.headCount(l), nHeadKv = cfg.headCountKv(l), group = nHead / nHeadKv;
        int hdK = cfg.keyLength(), hdV = cfg.valueLength();
        int qDim = cfg.queryDim(l), kDim = cfg.keyDim(l), vDim = cfg.valueDim(l), oDim = nHead * hdV;
        float sc = (float) (1.0 / Math.sqrt(hdK));
        for (int task = from; task < to; task++) {
            int seq = task / nHeadKv, kvh = task % nHeadKv;
            int s0 = curBatch.start()[seq], len = curBatch.length()[seq];
            float[] scratch = attScratch[task];
            int ko = s0 * kDim + kvh * hdK, vo = s0 * vDim + kvh * hdV;
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                int qo = s0 * qDim + h * hdK, oo = s0 * oDim + h * hdV;
                if (backward) {
                    TrainOps.attentionBackward(q, qo, qDim, k, ko, kDim, v, vo, vDim, dao, oo, oDim, dq, dk, dv,
                            len, hdK, hdV, sc, scratch);
                } else {
                    TrainOps.attention(q, qo, qDim, k, ko, kDim, v, vo, vDim, ao, oo, oDim, len, hdK, hdV, sc, scratch);
                }
            }
        }
    }

    /** {@code out = W·x (+ bias) + s·B·(A·x)}; keeps {@code A·x} for the backward. */
    private void linear(int l, LoraTarget target, float[] params, float[] x, int n, float[] out, float[] bias) {
        FrozenLinear f = lin[l][target.ordinal()];
        int nIn = f.inputs(), nOut = f.outputs();
        f.forward(pool, x, 0, n, out, 0);
        if (bias != null) for (int t = 0; t < n; t++) FloatMath.axpy(1f, bias, 0, out, t * nOut, nOut);
        LoraLayout.Slot s = loraInput(l, target, params, x, n);
        if (s != null) TrainOps.loraAdd(params, s.bOffset(), rank, nOut, scale, ax[target.ordinal()], n, out);
    }

    /** {@code ax[target] = A·x} for the adapter on {@code target} (returns its slot), or null when not adapted. */
    private LoraLayout.Slot loraInput(int l, LoraTarget target, float[] params, float[] x, int n) {
        LoraLayout.Slot s = slots[l][target.ordinal()];
        if (s == null) return null;
        TrainOps.loraDown(params, s.aOffset(), rank, s.nIn(), x, n, ax[target.ordinal()]);
        return s;
    }

    /**
     * Backward of {@link #linear}: adds {@code Wᵀ·dy + s·Aᵀ·(Bᵀ·dy)} to {@code dIn}, {@code s·dy·(A·x)ᵀ} to dB and
     * {@code s·(Bᵀ·dy)·xᵀ} to dA.
     */
    private void linearBackward(int l, LoraTarget target, float[] params, float[] grad, float[] x, float[] dy, int n, float[] dIn) {
        FrozenLinear f = lin[l][target.ordinal()];
        int nIn = f.inputs(), nOut = f.outputs();
        f.backwardInput(pool, dy, 0, n, dIn, 0);
        LoraLayout.Slot s = slots[l][target.ordinal()];
        if (s == null) return;
        TrainOps.loraBackward(params, s.aOffset(), s.bOffset(), rank, nIn, nOut, scale, x, ax[target.ordinal()], dy, n, bdy, dbAcc, grad, dIn);
    }
}
