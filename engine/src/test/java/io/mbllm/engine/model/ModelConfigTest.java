package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.MetaValue.Kind;
import io.mbllm.gguf.GgmlType;

/** Metadata parsing: exact key types, per-layer arrays, documented defaults, and clear errors. */
class ModelConfigTest {

    private static ModelLoadException loadError(InMemorySource src) {
        return assertThrows(ModelLoadException.class, () -> Model.load(src));
    }

    @Test
    void readsKeysAndDefaults() throws Exception {
        ModelConfig c = ModelConfig.from(Synthetic.stablelm());
        assertEquals(Architecture.STABLELM, c.architecture());
        assertEquals(32, c.embeddingLength());
        assertEquals(2, c.blockCount());
        assertEquals(Synthetic.CTX, c.contextLength());
        assertEquals(8, c.keyLength()); // default n_embd / n_head
        assertEquals(8, c.valueLength());
        assertEquals(4, c.ropeDimensions()); // partial rotary
        assertEquals(10000f, c.ropeFreqBase()); // default
        assertEquals(RopeScaling.Type.LINEAR, c.ropeScaling().type()); // default linear, factor 1
        assertEquals(1f, c.ropeScaling().freqScale());
        assertEquals(1e-5f, c.normEpsilon());

        ModelConfig q3 = ModelConfig.from(Synthetic.qwen3());
        assertEquals(16, q3.keyLength()); // explicit key_length
        assertEquals(16, q3.ropeDimensions()); // default = key_length
        assertEquals(64, q3.queryDim(0));

        ModelConfig phi = ModelConfig.from(Synthetic.phi3());
        assertEquals(RopeScaling.Type.LONGROPE, phi.ropeScaling().type());
        assertEquals(32, phi.ropeScaling().originalContextLength());
        assertEquals(1.19f, phi.ropeScaling().attnFactor());
    }

    @Test
    void headCountKvDefaultsToHeadCount() throws Exception {
        InMemorySource src = Synthetic.llama(true);
        src.meta.remove("llama.attention.head_count_kv");
        assertArrayEquals(new int[] {4, 4}, ModelConfig.from(src).headCountKv());
    }

    @Test
    void perLayerArraysAreAccepted() throws Exception {
        InMemorySource src = Synthetic.llama(true);
        src.meta.put("llama.feed_forward_length", new MetaValue.Array(Kind.INT32,
                List.of(new MetaValue.Num(Kind.INT32, 48), new MetaValue.Num(Kind.INT32, 48))));
        src.meta.put("llama.attention.head_count_kv", new MetaValue.Array(Kind.UINT32,
                List.of(new MetaValue.Num(Kind.UINT32, 2L), new MetaValue.Num(Kind.UINT32, 2L))));
        ModelConfig c = ModelConfig.from(src);
        assertArrayEquals(new int[] {48, 48}, c.feedForwardLength());
        assertArrayEquals(new int[] {2, 2}, c.headCountKv());

        src.meta.put("llama.attention.head_count_kv", new MetaValue.Array(Kind.UINT32, List.of(new MetaValue.Num(Kind.UINT32, 2L))));
        assertTrue(loadError(src).getMessage().contains("one per layer (2)"));
    }

    @Test
    void ropeScalingFactorBecomesFreqScale() throws Exception {
        InMemorySource src = Synthetic.llama(true).f32("llama.rope.scaling.factor", 4f);
        assertEquals(0.25f, ModelConfig.from(src).ropeScaling().freqScale());
        src.str("llama.rope.scaling.type", "none");
        assertEquals(1f, ModelConfig.from(src).ropeScaling().freqScale());
        src.str("llama.rope.scaling.type", "wobbly");
        assertTrue(loadError(src).getMessage().contains("unsupported rope.scaling.type 'wobbly'"));
    }

    @Test
    void mistralIsReadAsLlama() throws Exception {
        assertEquals(Architecture.LLAMA, Architecture.fromGgufName("mistral"));
    }

    @Test
    void unknownArchitectureNamesItAndTheSupportedOnes() {
        InMemorySource src = Synthetic.llama(true).str("general.architecture", "gemma3");
        String msg = loadError(src).getMessage();
        assertTrue(msg.contains("'gemma3'"), msg);
        for (String a : new String[] {"llama", "mistral", "qwen2", "qwen3", "stablelm", "phi3"}) {
            assertTrue(msg.contains(a), msg);
        }
    }

    @Test
    void wrongKeyTypeIsAnError() {
        InMemorySource src = Synthetic.llama(true);
        src.meta.put("llama.context_length", new MetaValue.Num(Kind.INT32, 64));
        String msg = loadError(src).getMessage();
        assertTrue(msg.contains("'llama.context_length' has type INT32, expected UINT32"), msg);

        InMemorySource src2 = Synthetic.llama(true).u32("llama.attention.layer_norm_rms_epsilon", 1);
        assertTrue(loadError(src2).getMessage().contains("expected FLOAT32"));
    }

    @Test
    void missingKeyOrTensorIsNamed() {
        InMemorySource src = Synthetic.qwen2();
        src.meta.remove("qwen2.block_count");
        assertTrue(loadError(src).getMessage().contains("'qwen2.block_count' is missing"));

        InMemorySource src2 = Synthetic.qwen3().remove("blk.1.attn_k_norm.weight");
        assertTrue(loadError(src2).getMessage().contains("attn_k_norm"), loadError(src2).getMessage());

        InMemorySource src3 = Synthetic.phi3().remove("blk.0.ffn_up.weight");
        assertTrue(loadError(src3).getMessage().contains("'blk.0.ffn_up.weight' is missing"));
    }

    @Test
    void wrongShapeIsNamed() {
        InMemorySource src = Synthetic.llama(true);
        src.tensor("blk.0.attn_k.weight", GgmlType.F32, new float[32 * 32], 32, 32);
        String msg = loadError(src).getMessage();
        assertTrue(msg.contains("'blk.0.attn_k.weight' has shape [32, 32], expected [32, 16]"), msg);
    }

    @Test
    void inconsistentHeadsAreRejected() {
        InMemorySource src = Synthetic.llama(true).u32("llama.attention.head_count_kv", 3);
        assertTrue(loadError(src).getMessage().contains("not a positive multiple"));
        InMemorySource src2 = Synthetic.llama(true).u32("llama.rope.dimension_count", 4);
        assertTrue(loadError(src2).getMessage().contains("invalid rope.dimension_count 4, expected 8"));
    }
}
