package io.mbllm.engine.model;

import java.util.Arrays;

/**
 * The hyper-parameters of a model, parsed from GGUF metadata with llama.cpp's exact key types and defaults
 * ({@code shared/docs/gguf.md} §4.2). Per-layer counts are arrays with one value per layer.
 *
 * @param architecture      the family
 * @param contextLength     {@code context_length}: the training context
 * @param embeddingLength   {@code embedding_length} (n_embd)
 * @param blockCount        {@code block_count} (n_layer)
 * @param vocabSize         rows of {@code token_embd.weight} (must equal {@code vocab_size} when that key exists)
 * @param feedForwardLength {@code feed_forward_length} per layer (n_ff)
 * @param headCount         {@code attention.head_count} per layer
 * @param headCountKv       {@code attention.head_count_kv} per layer (default: head_count)
 * @param keyLength         {@code attention.key_length} (default n_embd / n_head)
 * @param valueLength       {@code attention.value_length} (default n_embd / n_head)
 * @param ropeDimensions    {@code rope.dimension_count} (default key_length)
 * @param normEpsilon       RMSNorm or LayerNorm epsilon, per the family
 * @param ropeFreqBase      {@code rope.freq_base} (default 10000)
 * @param ropeScaling       the RoPE scaling keys
 */
public record ModelConfig(Architecture architecture, int contextLength, int embeddingLength, int blockCount,
                          int vocabSize, int[] feedForwardLength, int[] headCount, int[] headCountKv,
                          int keyLength, int valueLength, int ropeDimensions, float normEpsilon,
                          float ropeFreqBase, RopeScaling ropeScaling) {

    public ModelConfig {
        feedForwardLength = feedForwardLength.clone();
        headCount = headCount.clone();
        headCountKv = headCountKv.clone();
    }

    @Override
    public int[] feedForwardLength() { return feedForwardLength.clone(); }

    @Override
    public int[] headCount() { return headCount.clone(); }

    @Override
    public int[] headCountKv() { return headCountKv.clone(); }

    /** n_ff of layer {@code l}. */
    public int feedForwardLength(int l) { return feedForwardLength[l]; }

    /** Query heads of layer {@code l}. */
    public int headCount(int l) { return headCount[l]; }

    /** Key/value heads of layer {@code l}. */
    public int headCountKv(int l) { return headCountKv[l]; }

    /** Width of the query projection of layer {@code l}: heads × key_length. */
    public int queryDim(int l) { return headCount[l] * keyLength; }

    /** Width of the key projection of layer {@code l}. */
    public int keyDim(int l) { return headCountKv[l] * keyLength; }

    /** Width of the value projection of layer {@code l}. */
    public int valueDim(int l) { return headCountKv[l] * valueLength; }

    /** Largest of {@code f} over the layers. */
    int max(int[] perLayer) {
        return Arrays.stream(perLayer).max().orElse(0);
    }

    /**
     * Parses the configuration of the model in {@code source}.
     *
     * @throws ModelLoadException for an unsupported architecture, a missing required key, a key of the wrong
     *                            type, or inconsistent values
     */
    public static ModelConfig from(ModelSource source) throws ModelLoadException {
        MetaReader root = new MetaReader(source, "");
        String archName = root.requireString("general.architecture");
        Architecture arch = Architecture.fromGgufName(archName);
        MetaReader m = new MetaReader(source, archName + ".");

        int nCtxTrain = m.requireU32(m.key("context_length"));
        int nEmbd = m.requireU32(m.key("embedding_length"));
        int nLayer = m.requireU32(m.key("block_count"));
        if (nEmbd <= 0 || nLayer <= 0) throw bad(source, "embedding_length and block_count must be positive");

        int[] nFf = m.u32PerLayer(m.key("feed_forward_length"), nLayer)
                .orElseThrow(() -> bad(source, "required metadata key '" + archName + ".feed_forward_length' is missing"));
        int[] nHead = m.u32PerLayer(m.key("attention.head_count"), nLayer)
                .orElseThrow(() -> bad(source, "required metadata key '" + archName + ".attention.head_count' is missing"));
        int[] nHeadKv = m.u32PerLayer(m.key("attention.head_count_kv"), nLayer).orElse(nHead.clone());
        for (int l = 0; l < nLayer; l++) {
            if (nHead[l] <= 0 || nHeadKv[l] <= 0 || nHead[l] % nHeadKv[l] != 0) {
                throw bad(source, "layer " + l + ": head_count " + nHead[l] + " is not a positive multiple of head_count_kv " + nHeadKv[l]);
            }
            if (nFf[l] <= 0) throw bad(source, "layer " + l + ": feed_forward_length must be positive");
        }
        int defaultHead = nEmbd / nHead[0];
        int keyLength = m.u32(m.key("attention.key_length")).orElse(defaultHead);
        int valueLength = m.u32(m.key("attention.value_length")).orElse(defaultHead);
        if (keyLength <= 0 || valueLength <= 0) throw bad(source, "head size must be positive");
        int nRot = m.u32(m.key("rope.dimension_count")).orElse(keyLength);
        if (nRot > keyLength || nRot % 2 != 0) {
            throw bad(source, "rope.dimension_count " + nRot + " must be even and at most the head size " + keyLength);
        }
        if (arch.ropeCoversHead() && nRot != keyLength) {
            throw bad(source, "invalid rope.dimension_count " + nRot + ", expected " + keyLength + " for " + archName);
        }
        String epsKey = m.key(arch.norm().epsilonKey());
        float eps = m.f32(epsKey).orElseThrow(() -> bad(source, "required metadata key '" + epsKey + "' is missing"));
        float freqBase = m.f32(m.key("rope.freq_base")).orElse(10000f);

        RopeScaling.Type scalingType = RopeScaling.Type.fromGgufName(m.string(m.key("rope.scaling.type")).orElse("linear"));
        float factor = m.f32(m.key("rope.scaling.factor")).isPresent()
                ? m.f32(m.key("rope.scaling.factor")).get()
                : m.f32(m.key("rope.scale_linear")).orElse(0f);
        float freqScale = factor == 0f ? 1f : 1f / factor;
        if (scalingType == RopeScaling.Type.NONE) freqScale = 1f;
        RopeScaling scaling = new RopeScaling(scalingType, freqScale,
                m.u32(m.key("rope.scaling.original_context_length")).orElse(nCtxTrain),
                m.f32(m.key("rope.scaling.attn_factor")).orElse(1f),
                m.f32(m.key("rope.scaling.yarn_beta_fast")).orElse(32f),
                m.f32(m.key("rope.scaling.yarn_beta_slow")).orElse(1f),
                m.f32(m.key("rope.scaling.yarn_log_multiplier")).orElse(0f));

        ModelSource.Tensor embd = source.tensor("token_embd.weight")
                .orElseThrow(() -> bad(source, "required tensor 'token_embd.weight' is missing"));
        if (embd.rank() != 2 || embd.dim(0) != nEmbd || embd.dim(1) <= 0 || embd.dim(1) > Integer.MAX_VALUE) {
            throw bad(source, "tensor 'token_embd.weight' has shape " + embd.shapeString() + ", expected [" + nEmbd + ", n_vocab]");
        }
        int nVocab = (int) embd.dim(1);
        var vocabKey = m.u32(m.key("vocab_size"));
        if (vocabKey.isPresent() && vocabKey.get() != nVocab) {
            throw bad(source, archName + ".vocab_size " + vocabKey.get() + " does not match token_embd rows " + nVocab);
        }
        return new ModelConfig(arch, nCtxTrain, nEmbd, nLayer, nVocab, nFf, nHead, nHeadKv, keyLength, valueLength,
                nRot, eps, freqBase, scaling);
    }

    private static ModelLoadException bad(ModelSource source, String what) {
        return new ModelLoadException(source.describe() + ": " + what);
    }

    @Override
    public String toString() {
        return "ModelConfig[" + architecture.ggufName() + ", n_ctx_train=" + contextLength + ", n_embd=" + embeddingLength
                + ", n_layer=" + blockCount + ", n_vocab=" + vocabSize + ", n_ff=" + Arrays.toString(feedForwardLength)
                + ", n_head=" + Arrays.toString(headCount) + ", n_head_kv=" + Arrays.toString(headCountKv)
                + ", head_k=" + keyLength + ", head_v=" + valueLength + ", n_rot=" + ropeDimensions
                + ", eps=" + normEpsilon + ", rope_base=" + ropeFreqBase + ", " + ropeScaling + "]";
    }
}
