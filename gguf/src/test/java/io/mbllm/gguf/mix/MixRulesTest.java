package io.mbllm.gguf.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.gguf.GgmlType;

/** FileType parsing and the stateless mix rules (filter, order, more_bits, fallback). */
class MixRulesTest {
    @Test
    void fileTypeSpellings() {
        assertSame(FileType.Q4_K_M, FileType.parse("q4_k_m"));
        assertSame(FileType.Q4_K_M, FileType.parse("Q4_K_M"));
        assertSame(FileType.Q4_K_M, FileType.parse(" 15 "));
        assertSame(FileType.Q2_K_S, FileType.parse("21"));
        assertSame(FileType.BF16, FileType.parse("bf16"));
        assertEquals(GgmlType.IQ2_XS, FileType.IQ2_S.defaultType());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileType.parse("q4_k_x"));
        assertTrue(e.getMessage().contains("Q4_K_M(15)") && e.getMessage().contains("Q2_K_S(21)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FileType.parse("4"));
        assertThrows(IllegalArgumentException.class, () -> FileType.parse("99999999999"));
        assertThrows(IllegalArgumentException.class, () -> FileType.parse(""));
        assertEquals(18, FileType.mixable().size());
        for (FileType t : FileType.values()) assertSame(t, FileType.byId(t.id()));
    }

    @Test
    void quantizableFilter() {
        assertTrue(MixRules.isQuantizable("blk.0.attn_q.weight", 2));
        assertTrue(MixRules.isQuantizable("blk.0.ffn_down_exps.weight", 3));
        assertFalse(MixRules.isQuantizable("blk.0.attn_norm.weight", 1));
        assertFalse(MixRules.isQuantizable("blk.0.attn_q_norm.weight", 2));
        assertFalse(MixRules.isQuantizable("blk.0.attn_q.bias", 2));
        assertFalse(MixRules.isQuantizable("blk.0.ffn_gate_inp.weight", 2));
        assertFalse(MixRules.isQuantizable("position_embd.weight", 2));
        assertFalse(MixRules.isQuantizable("blk.0.ssm_conv1d.weight", 2));
        assertFalse(MixRules.isQuantizable("rope_freqs.weight", 1));
    }

    @Test
    void processingOrderSortsByLayerNumberThenBytes() {
        List<String> names = new ArrayList<>(List.of("blk.10.attn_q.weight", "blk.2.ffn_up.weight", "token_embd.weight",
                "blk.2.attn_q.weight", "output.weight", "output_norm.weight", "blk.-1x"));
        names.sort(MixRules.PROCESSING_ORDER);
        assertEquals(List.of("blk.-1x", "output.weight", "output_norm.weight", "token_embd.weight",
                "blk.2.attn_q.weight", "blk.2.ffn_up.weight", "blk.10.attn_q.weight"), names);
        assertEquals(-1, MixRules.layerOf("blk.x.attn"));
        assertEquals(7, MixRules.layerOf("blk.7"));
    }

    @Test
    void moreBitsFor32And8Layers() {
        List<Integer> on = new ArrayList<>();
        for (int i = 0; i < 32; i++) if (MixRules.moreBits(i, 32)) on.add(i);
        assertEquals(List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31), on);
        on.clear();
        for (int i = 0; i < 8; i++) if (MixRules.moreBits(i, 8)) on.add(i);
        assertEquals(List.of(0, 3, 6, 7), on);
    }

    @Test
    void rowLengthFallbacks() {
        assertEquals(GgmlType.Q4_K, MixRules.fallback(GgmlType.Q4_K, 512));
        assertEquals(GgmlType.Q5_0, MixRules.fallback(GgmlType.Q4_K, 320));
        assertEquals(GgmlType.Q5_1, MixRules.fallback(GgmlType.Q5_K, 896));
        assertEquals(GgmlType.Q8_0, MixRules.fallback(GgmlType.Q6_K, 320));
        assertEquals(GgmlType.Q4_0, MixRules.fallback(GgmlType.Q2_K, 320));
        assertEquals(GgmlType.Q4_0, MixRules.fallback(GgmlType.Q3_K, 320));
        assertEquals(GgmlType.F16, MixRules.fallback(GgmlType.Q6_K, 100));
        assertThrows(IllegalArgumentException.class, () -> MixRules.fallback(GgmlType.Q8_0, 100));
    }

    @Test
    void qwen25HalfBlockEmbeddingFallsBackAsDocumented() {
        // quantization.md §10: n_embd 896 in a tied Q4_K_M file
        ModelFacts f = new ModelFacts("qwen2", 24, 14, 2, 0, false);
        List<TensorShape> ts = List.of(TensorShape.of("token_embd.weight", 896, 151936),
                TensorShape.of("blk.0.attn_v.weight", 896, 128), TensorShape.of("blk.0.ffn_down.weight", 4864, 896),
                TensorShape.of("blk.0.ffn_up.weight", 896, 4864));
        List<TensorTypeChooser.Choice> c = TensorTypeChooser.plan(f, MixOptions.of(FileType.Q4_K_M), ts);
        assertEquals(List.of(GgmlType.Q8_0, GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q5_0),
                c.stream().map(TensorTypeChooser.Choice::type).toList());
    }
}
