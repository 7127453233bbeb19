package io.mbllm.engine.model;

import java.util.Random;

import io.mbllm.gguf.GgmlType;

/**
 * Tiny random models of every supported family, built in memory with the tensor names and shapes of
 * {@code shared/docs/gguf.md} §5. Shapes are chosen so that GQA, partial rotary, explicit head size, fused
 * tensors, biases and per-head norms are all exercised. Every family goes through one block builder
 * ({@link #block}) with its {@link Block} options; the tensors are drawn from one seeded generator in the order
 * they are written.
 */
final class Synthetic {
    static final int VOCAB = 40;
    static final int CTX = 64;

    /** The sizes of a model; {@code headDim} may differ from {@code nEmbd / nHead} (qwen3). */
    record Shape(int nEmbd, int nLayer, int nHead, int nHeadKv, int headDim, int nFf) {}

    /** RMSNorm (a weight) or LayerNorm (a weight and a bias). */
    enum Norm { RMS, LAYER }

    /** Per-head q/k norms: none, one {@code [head_dim]} weight shared by the heads (qwen3), or one per head (stablelm). */
    enum QkNorm { NONE, SHARED, PER_HEAD }

    /**
     * The options of one block.
     *
     * @param norm         the attention and FFN norms
     * @param fused        phi3's fused {@code attn_qkv} and {@code ffn_up} (gate and up in one) instead of separate matrices
     * @param qkvBiasScale standard deviation of the q/k/v biases; 0 for none
     * @param qkNorm       per-head q/k norms
     * @param ffnNorm      whether there is an FFN norm (a stablelm block without one has a parallel residual)
     * @param ffnNormFirst the FFN norm is drawn before {@code attn_output} (the stablelm builders' order)
     */
    record Block(Norm norm, boolean fused, double qkvBiasScale, QkNorm qkNorm, boolean ffnNorm, boolean ffnNormFirst) {
        /** llama's block: RMSNorm, separate matrices, no biases, no q/k norm. */
        static final Block LLAMA = new Block(Norm.RMS, false, 0, QkNorm.NONE, true, false);
        /** stablelm's block: LayerNorm, the FFN norm drawn before {@code attn_output}. */
        static final Block STABLELM = new Block(Norm.LAYER, false, 0, QkNorm.NONE, true, true);

        Block withQkvBias(double scale) { return new Block(norm, fused, scale, qkNorm, ffnNorm, ffnNormFirst); }

        Block withQkNorm(QkNorm q) { return new Block(norm, fused, qkvBiasScale, q, ffnNorm, ffnNormFirst); }

        Block withoutFfnNorm() { return new Block(norm, fused, qkvBiasScale, qkNorm, false, ffnNormFirst); }

        Block withFused() { return new Block(norm, true, qkvBiasScale, qkNorm, ffnNorm, ffnNormFirst); }
    }

    private final InMemorySource s = new InMemorySource();
    private final Random rnd;
    private final GgmlType type;
    private final Shape shape;

    /** Starts a model: architecture, context length and the sizes of {@code shape}. */
    private Synthetic(String arch, long seed, GgmlType type, Shape shape) {
        this.rnd = new Random(seed);
        this.type = type;
        this.shape = shape;
        s.str("general.architecture", arch).u32(arch + ".context_length", CTX)
                .u32(arch + ".embedding_length", shape.nEmbd()).u32(arch + ".block_count", shape.nLayer())
                .u32(arch + ".feed_forward_length", shape.nFf()).u32(arch + ".attention.head_count", shape.nHead())
                .u32(arch + ".attention.head_count_kv", shape.nHeadKv());
    }

    private float[] gauss(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    private float[] around1(int n) {
        float[] a = gauss(n, 0.2);
        for (int i = 0; i < n; i++) a[i] += 1f;
        return a;
    }

    /** A matrix of {@code rows} rows of {@code cols}, in the model's weight type. */
    private void matrix(String name, int cols, int rows) {
        s.tensor(name, type, gauss(cols * rows, 1.0 / Math.sqrt(cols)), cols, rows);
    }

    private void vec(String name, float[] v) {
        s.tensor(name, GgmlType.F32, v, v.length);
    }

    /** {@code name.weight} around 1 and, for LayerNorm, {@code name.bias}. */
    private void norm(String name, Norm kind) {
        vec(name + ".weight", around1(shape.nEmbd()));
        if (kind == Norm.LAYER) vec(name + ".bias", gauss(shape.nEmbd(), 0.2));
    }

    /** Token embeddings, the output matrix unless {@code tied}, and the output norm. */
    private void outputs(boolean tied, Norm outputNorm) {
        int nEmbd = shape.nEmbd();
        s.tensor("token_embd.weight", type, gauss(nEmbd * VOCAB, 1.0), nEmbd, VOCAB);
        if (!tied) matrix("output.weight", nEmbd, VOCAB);
        norm("output_norm", outputNorm);
    }

    /** Every block with the options {@code b}. */
    private void blocks(Block b) {
        for (int l = 0; l < shape.nLayer(); l++) block(l, b);
    }

    /** The tensors of block {@code l}. */
    private void block(int l, Block b) {
        String p = "blk." + l + ".";
        int nEmbd = shape.nEmbd(), hd = shape.headDim(), nFf = shape.nFf();
        int q = shape.nHead() * hd, kv = shape.nHeadKv() * hd;
        norm(p + "attn_norm", b.norm());
        if (b.fused()) {
            matrix(p + "attn_qkv.weight", nEmbd, q + 2 * kv);
        } else {
            matrix(p + "attn_q.weight", nEmbd, q);
            matrix(p + "attn_k.weight", nEmbd, kv);
            matrix(p + "attn_v.weight", nEmbd, kv);
        }
        if (b.qkvBiasScale() != 0) {
            vec(p + "attn_q.bias", gauss(q, b.qkvBiasScale()));
            vec(p + "attn_k.bias", gauss(kv, b.qkvBiasScale()));
            vec(p + "attn_v.bias", gauss(kv, b.qkvBiasScale()));
        }
        switch (b.qkNorm()) {
            case NONE -> {}
            case SHARED -> {
                vec(p + "attn_q_norm.weight", around1(hd));
                vec(p + "attn_k_norm.weight", around1(hd));
            }
            case PER_HEAD -> {
                s.tensor(p + "attn_q_norm.weight", GgmlType.F32, around1(q), hd, shape.nHead());
                s.tensor(p + "attn_k_norm.weight", GgmlType.F32, around1(kv), hd, shape.nHeadKv());
            }
        }
        if (b.ffnNorm() && b.ffnNormFirst()) norm(p + "ffn_norm", b.norm());
        matrix(p + "attn_output.weight", q, nEmbd);
        if (b.ffnNorm() && !b.ffnNormFirst()) norm(p + "ffn_norm", b.norm());
        if (b.fused()) {
            matrix(p + "ffn_up.weight", nEmbd, 2 * nFf);
        } else {
            matrix(p + "ffn_gate.weight", nEmbd, nFf);
            matrix(p + "ffn_up.weight", nEmbd, nFf);
        }
        matrix(p + "ffn_down.weight", nFf, nEmbd);
    }

    /** llama: RMSNorm, GQA 4/2, NORM rope, optionally tied output. */
    static InMemorySource llama(boolean tied, GgmlType type, int nEmbd, int nFf) {
        Synthetic m = new Synthetic("llama", tied ? 1 : 2, type, new Shape(nEmbd, 2, 4, 2, nEmbd / 4, nFf));
        m.s.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).f32("llama.rope.freq_base", 10000f)
                .u32("llama.rope.dimension_count", nEmbd / 4);
        m.outputs(tied, Norm.RMS);
        m.blocks(Block.LLAMA);
        return m.s;
    }

    static InMemorySource llama(boolean tied) {
        return llama(tied, GgmlType.F32, 32, 48);
    }

    /** qwen2: q/k/v biases, NEOX, tied, GQA 6/2. */
    static InMemorySource qwen2() {
        Synthetic m = new Synthetic("qwen2", 3, GgmlType.F32, new Shape(48, 2, 6, 2, 8, 64));
        m.s.f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f).f32("qwen2.rope.freq_base", 1000000f);
        m.outputs(true, Norm.RMS);
        m.blocks(Block.LLAMA.withQkvBias(0.5));
        return m.s;
    }

    /** qwen3: explicit key_length 16 (≠ n_embd/n_head = 8), shared per-head q/k RMSNorm, NEOX, untied. */
    static InMemorySource qwen3() {
        int hd = 16;
        Synthetic m = new Synthetic("qwen3", 4, GgmlType.F32, new Shape(32, 2, 4, 2, hd, 40));
        m.s.f32("qwen3.attention.layer_norm_rms_epsilon", 1e-6f).f32("qwen3.rope.freq_base", 1000000f)
                .u32("qwen3.attention.key_length", hd).u32("qwen3.attention.value_length", hd);
        m.outputs(false, Norm.RMS);
        m.blocks(Block.LLAMA.withQkNorm(QkNorm.SHARED));
        return m.s;
    }

    /**
     * stablelm: LayerNorm with bias, rotary on 4 of 8 head dims, layer 0 with per-head q/k LayerNorm and an FFN
     * norm, layer 1 without q/k norm and with a parallel residual (no FFN norm).
     */
    static InMemorySource stablelm() {
        Synthetic m = new Synthetic("stablelm", 5, GgmlType.F32, new Shape(32, 2, 4, 4, 8, 48));
        m.s.f32("stablelm.attention.layer_norm_epsilon", 1e-5f).u32("stablelm.rope.dimension_count", 4);
        m.outputs(false, Norm.LAYER);
        m.block(0, Block.STABLELM.withQkNorm(QkNorm.PER_HEAD));
        m.block(1, Block.STABLELM.withoutFfnNorm());
        return m.s;
    }

    /**
     * stablelm without the optional parts (what training covers): LayerNorm with bias everywhere, rotary on 4 of 8
     * head dims, q/k/v biases, an FFN norm in every layer, GQA 4/2.
     */
    static InMemorySource stablelmSequential() {
        Synthetic m = new Synthetic("stablelm", 7, GgmlType.F32, new Shape(32, 2, 4, 2, 8, 48));
        m.s.f32("stablelm.attention.layer_norm_epsilon", 1e-5f).u32("stablelm.rope.dimension_count", 4);
        m.outputs(false, Norm.LAYER);
        m.blocks(Block.STABLELM.withQkvBias(0.3));
        return m.s;
    }

    /**
     * phi3: fused QKV and fused gate/up, NEOX, long-rope factors (num_ctx 64 beyond the original 32 picks the
     * long set) and a rope attention factor.
     */
    static InMemorySource phi3() {
        int hd = 8;
        Synthetic m = new Synthetic("phi3", 6, GgmlType.F32, new Shape(32, 2, 4, 4, hd, 40));
        m.s.f32("phi3.attention.layer_norm_rms_epsilon", 1e-5f).u32("phi3.rope.dimension_count", hd)
                .str("phi3.rope.scaling.type", "longrope").u32("phi3.rope.scaling.original_context_length", 32)
                .f32("phi3.rope.scaling.attn_factor", 1.19f);
        m.outputs(false, Norm.RMS);
        float[] longF = m.gauss(hd / 2, 0.3), shortF = m.gauss(hd / 2, 0.3);
        for (int i = 0; i < hd / 2; i++) {
            longF[i] = 1f + Math.abs(longF[i]) * 4;
            shortF[i] = 1f + Math.abs(shortF[i]);
        }
        m.vec("rope_factors_long.weight", longF);
        m.vec("rope_factors_short.weight", shortF);
        m.blocks(Block.LLAMA.withFused());
        return m.s;
    }
}
