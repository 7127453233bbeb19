package io.mbllm.engine.model;

import java.util.Random;

import io.mbllm.gguf.GgmlType;

/**
 * Tiny random models of every supported family, built in memory with the tensor names and shapes of
 * {@code shared/docs/gguf.md} §5. Shapes are chosen so that GQA, partial rotary, explicit head size, fused
 * tensors, biases and per-head norms are all exercised.
 */
final class Synthetic {
    static final int VOCAB = 40;
    static final int CTX = 64;

    private final InMemorySource s = new InMemorySource();
    private final Random rnd;
    private final GgmlType type;
    private final String arch;

    private Synthetic(String arch, long seed, GgmlType type) {
        this.arch = arch;
        this.rnd = new Random(seed);
        this.type = type;
        s.str("general.architecture", arch).u32(arch + ".context_length", CTX);
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

    private void hparams(int nEmbd, int nLayer, int nHead, int nHeadKv, int nFf) {
        s.u32(arch + ".embedding_length", nEmbd).u32(arch + ".block_count", nLayer)
                .u32(arch + ".feed_forward_length", nFf).u32(arch + ".attention.head_count", nHead)
                .u32(arch + ".attention.head_count_kv", nHeadKv);
    }

    private void embeddings(int nEmbd, boolean tied) {
        s.tensor("token_embd.weight", type, gauss(nEmbd * VOCAB, 1.0), nEmbd, VOCAB);
        if (!tied) matrix("output.weight", nEmbd, VOCAB);
    }

    /** llama: RMSNorm, GQA 4/2, NORM rope, optionally tied output. */
    static InMemorySource llama(boolean tied, GgmlType type, int nEmbd, int nFf) {
        Synthetic m = new Synthetic("llama", tied ? 1 : 2, type);
        int nLayer = 2, nHead = 4, nHeadKv = 2, hd = nEmbd / nHead;
        m.hparams(nEmbd, nLayer, nHead, nHeadKv, nFf);
        m.s.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).f32("llama.rope.freq_base", 10000f)
                .u32("llama.rope.dimension_count", hd);
        m.embeddings(nEmbd, tied);
        m.vec("output_norm.weight", m.around1(nEmbd));
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            m.vec(p + "attn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "attn_q.weight", nEmbd, nHead * hd);
            m.matrix(p + "attn_k.weight", nEmbd, nHeadKv * hd);
            m.matrix(p + "attn_v.weight", nEmbd, nHeadKv * hd);
            m.matrix(p + "attn_output.weight", nHead * hd, nEmbd);
            m.vec(p + "ffn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "ffn_gate.weight", nEmbd, nFf);
            m.matrix(p + "ffn_up.weight", nEmbd, nFf);
            m.matrix(p + "ffn_down.weight", nFf, nEmbd);
        }
        return m.s;
    }

    static InMemorySource llama(boolean tied) {
        return llama(tied, GgmlType.F32, 32, 48);
    }

    /** qwen2: q/k/v biases, NEOX, tied, GQA 6/2. */
    static InMemorySource qwen2() {
        Synthetic m = new Synthetic("qwen2", 3, GgmlType.F32);
        int nEmbd = 48, nLayer = 2, nHead = 6, nHeadKv = 2, hd = 8, nFf = 64;
        m.hparams(nEmbd, nLayer, nHead, nHeadKv, nFf);
        m.s.f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f).f32("qwen2.rope.freq_base", 1000000f);
        m.embeddings(nEmbd, true);
        m.vec("output_norm.weight", m.around1(nEmbd));
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            m.vec(p + "attn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "attn_q.weight", nEmbd, nHead * hd);
            m.matrix(p + "attn_k.weight", nEmbd, nHeadKv * hd);
            m.matrix(p + "attn_v.weight", nEmbd, nHeadKv * hd);
            m.vec(p + "attn_q.bias", m.gauss(nHead * hd, 0.5));
            m.vec(p + "attn_k.bias", m.gauss(nHeadKv * hd, 0.5));
            m.vec(p + "attn_v.bias", m.gauss(nHeadKv * hd, 0.5));
            m.matrix(p + "attn_output.weight", nHead * hd, nEmbd);
            m.vec(p + "ffn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "ffn_gate.weight", nEmbd, nFf);
            m.matrix(p + "ffn_up.weight", nEmbd, nFf);
            m.matrix(p + "ffn_down.weight", nFf, nEmbd);
        }
        return m.s;
    }

    /** qwen3: explicit key_length 16 (≠ n_embd/n_head = 8), shared per-head q/k RMSNorm, NEOX, untied. */
    static InMemorySource qwen3() {
        Synthetic m = new Synthetic("qwen3", 4, GgmlType.F32);
        int nEmbd = 32, nLayer = 2, nHead = 4, nHeadKv = 2, hd = 16, nFf = 40;
        m.hparams(nEmbd, nLayer, nHead, nHeadKv, nFf);
        m.s.f32("qwen3.attention.layer_norm_rms_epsilon", 1e-6f).f32("qwen3.rope.freq_base", 1000000f)
                .u32("qwen3.attention.key_length", hd).u32("qwen3.attention.value_length", hd);
        m.embeddings(nEmbd, false);
        m.vec("output_norm.weight", m.around1(nEmbd));
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            m.vec(p + "attn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "attn_q.weight", nEmbd, nHead * hd);
            m.matrix(p + "attn_k.weight", nEmbd, nHeadKv * hd);
            m.matrix(p + "attn_v.weight", nEmbd, nHeadKv * hd);
            m.vec(p + "attn_q_norm.weight", m.around1(hd));
            m.vec(p + "attn_k_norm.weight", m.around1(hd));
            m.matrix(p + "attn_output.weight", nHead * hd, nEmbd);
            m.vec(p + "ffn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "ffn_gate.weight", nEmbd, nFf);
            m.matrix(p + "ffn_up.weight", nEmbd, nFf);
            m.matrix(p + "ffn_down.weight", nFf, nEmbd);
        }
        return m.s;
    }

    /**
     * stablelm: LayerNorm with bias, rotary on 4 of 8 head dims, layer 0 with per-head q/k LayerNorm and an FFN
     * norm, layer 1 without q/k norm and with a parallel residual (no FFN norm).
     */
    static InMemorySource stablelm() {
        Synthetic m = new Synthetic("stablelm", 5, GgmlType.F32);
        int nEmbd = 32, nLayer = 2, nHead = 4, nHeadKv = 4, hd = 8, nFf = 48;
        m.hparams(nEmbd, nLayer, nHead, nHeadKv, nFf);
        m.s.f32("stablelm.attention.layer_norm_epsilon", 1e-5f).u32("stablelm.rope.dimension_count", 4);
        m.embeddings(nEmbd, false);
        m.vec("output_norm.weight", m.around1(nEmbd));
        m.vec("output_norm.bias", m.gauss(nEmbd, 0.2));
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            m.vec(p + "attn_norm.weight", m.around1(nEmbd));
            m.vec(p + "attn_norm.bias", m.gauss(nEmbd, 0.2));
            m.matrix(p + "attn_q.weight", nEmbd, nHead * hd);
            m.matrix(p + "attn_k.weight", nEmbd, nHeadKv * hd);
            m.matrix(p + "attn_v.weight", nEmbd, nHeadKv * hd);
            if (l == 0) {
                m.s.tensor(p + "attn_q_norm.weight", GgmlType.F32, m.around1(hd * nHead), hd, nHead);
                m.s.tensor(p + "attn_k_norm.weight", GgmlType.F32, m.around1(hd * nHeadKv), hd, nHeadKv);
                m.vec(p + "ffn_norm.weight", m.around1(nEmbd));
                m.vec(p + "ffn_norm.bias", m.gauss(nEmbd, 0.2));
            }
            m.matrix(p + "attn_output.weight", nHead * hd, nEmbd);
            m.matrix(p + "ffn_gate.weight", nEmbd, nFf);
            m.matrix(p + "ffn_up.weight", nEmbd, nFf);
            m.matrix(p + "ffn_down.weight", nFf, nEmbd);
        }
        return m.s;
    }

    /**
     * stablelm without the optional parts (what training covers): LayerNorm with bias everywhere, rotary on 4 of 8
     * head dims, q/k/v biases, an FFN norm in every layer, GQA 4/2.
     */
    static InMemorySource stablelmSequential() {
        Synthetic m = new Synthetic("stablelm", 7, GgmlType.F32);
        int nEmbd = 32, nLayer = 2, nHead = 4, nHeadKv = 2, hd = 8, nFf = 48;
        m.hparams(nEmbd, nLayer, nHead, nHeadKv, nFf);
        m.s.f32("stablelm.attention.layer_norm_epsilon", 1e-5f).u32("stablelm.rope.dimension_count", 4);
        m.embeddings(nEmbd, false);
        m.vec("output_norm.weight", m.around1(nEmbd));
        m.vec("output_norm.bias", m.gauss(nEmbd, 0.2));
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            m.vec(p + "attn_norm.weight", m.around1(nEmbd));
            m.vec(p + "attn_norm.bias", m.gauss(nEmbd, 0.2));
            m.matrix(p + "attn_q.weight", nEmbd, nHead * hd);
            m.matrix(p + "attn_k.weight", nEmbd, nHeadKv * hd);
            m.matrix(p + "attn_v.weight", nEmbd, nHeadKv * hd);
            m.vec(p + "attn_q.bias", m.gauss(nHead * hd, 0.3));
            m.vec(p + "attn_k.bias", m.gauss(nHeadKv * hd, 0.3));
            m.vec(p + "attn_v.bias", m.gauss(nHeadKv * hd, 0.3));
            m.vec(p + "ffn_norm.weight", m.around1(nEmbd));
            m.vec(p + "ffn_norm.bias", m.gauss(nEmbd, 0.2));
            m.matrix(p + "attn_output.weight", nHead * hd, nEmbd);
            m.matrix(p + "ffn_gate.weight", nEmbd, nFf);
            m.matrix(p + "ffn_up.weight", nEmbd, nFf);
            m.matrix(p + "ffn_down.weight", nFf, nEmbd);
        }
        return m.s;
    }

    /**
     * phi3: fused QKV and fused gate/up, NEOX, long-rope factors (num_ctx 64 beyond the original 32 picks the
     * long set) and a rope attention factor.
     */
    static InMemorySource phi3() {
        Synthetic m = new Synthetic("phi3", 6, GgmlType.F32);
        int nEmbd = 32, nLayer = 2, nHead = 4, nHeadKv = 4, hd = 8, nFf = 40;
        m.hparams(nEmbd, nLayer, nHead, nHeadKv, nFf);
        m.s.f32("phi3.attention.layer_norm_rms_epsilon", 1e-5f).u32("phi3.rope.dimension_count", hd)
                .str("phi3.rope.scaling.type", "longrope").u32("phi3.rope.scaling.original_context_length", 32)
                .f32("phi3.rope.scaling.attn_factor", 1.19f);
        m.embeddings(nEmbd, false);
        m.vec("output_norm.weight", m.around1(nEmbd));
        float[] longF = m.gauss(hd / 2, 0.3), shortF = m.gauss(hd / 2, 0.3);
        for (int i = 0; i < hd / 2; i++) {
            longF[i] = 1f + Math.abs(longF[i]) * 4;
            shortF[i] = 1f + Math.abs(shortF[i]);
        }
        m.vec("rope_factors_long.weight", longF);
        m.vec("rope_factors_short.weight", shortF);
        for (int l = 0; l < nLayer; l++) {
            String p = "blk." + l + ".";
            m.vec(p + "attn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "attn_qkv.weight", nEmbd, (nHead + 2 * nHeadKv) * hd);
            m.matrix(p + "attn_output.weight", nHead * hd, nEmbd);
            m.vec(p + "ffn_norm.weight", m.around1(nEmbd));
            m.matrix(p + "ffn_up.weight", nEmbd, 2 * nFf);
            m.matrix(p + "ffn_down.weight", nFf, nEmbd);
        }
        return m.s;
    }
}
