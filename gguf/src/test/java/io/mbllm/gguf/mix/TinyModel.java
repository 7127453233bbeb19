package io.mbllm.gguf.mix;

import io.mbllm.testkit.SplitMix64;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;

/**
 * The deterministic 8-layer llama model {@code tiny-f32} of {@code testdata/quant-e2e/README.md}: its KVs,
 * its 75 F32 tensors in file order, and their values (tensor k from splitmix64 seed {@code 20000 + k}: 1-D
 * {@code 1 + uni()/16}, 2-D {@code gau() * 0.02}). Also the imatrix values (seed {@code 30000 + k}).
 */
final class TinyModel {
    private TinyModel() {}

    static final int N_EMBD = 256, N_FF = 320, N_LAYER = 8, N_VOCAB = 512, KV_DIM = 64;

    static GgufMetadata metadata() {
        return GgufMetadata.builder()
                .put("general.architecture", "llama")
                .put("general.name", "golden-tiny")
                .put("llama.context_length", GgufValue.u32(256))
                .put("llama.embedding_length", GgufValue.u32(N_EMBD))
                .put("llama.block_count", GgufValue.u32(N_LAYER))
                .put("llama.feed_forward_length", GgufValue.u32(N_FF))
                .put("llama.rope.dimension_count", GgufValue.u32(64))
                .put("llama.attention.head_count", GgufValue.u32(4))
                .put("llama.attention.head_count_kv", GgufValue.u32(1))
                .put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5f))
                .put("llama.rope.freq_base", GgufValue.f32(10000f))
                .put("llama.vocab_size", GgufValue.u32(N_VOCAB))
                .put("general.file_type", GgufValue.u32(0))
                .build();
    }

    /** The tensors in file order (index k = position). */
    static List<TensorInfo> tensors() {
        List<TensorInfo> t = new ArrayList<>();
        t.add(TensorInfo.of("token_embd.weight", GgmlType.F32, N_EMBD, N_VOCAB));
        for (int i = 0; i < N_LAYER; i++) {
            String p = "blk." + i + ".";
            t.add(TensorInfo.of(p + "attn_norm.weight", GgmlType.F32, N_EMBD));
            t.add(TensorInfo.of(p + "attn_q.weight", GgmlType.F32, N_EMBD, N_EMBD));
            t.add(TensorInfo.of(p + "attn_k.weight", GgmlType.F32, N_EMBD, KV_DIM));
            t.add(TensorInfo.of(p + "attn_v.weight", GgmlType.F32, N_EMBD, KV_DIM));
            t.add(TensorInfo.of(p + "attn_output.weight", GgmlType.F32, N_EMBD, N_EMBD));
            t.add(TensorInfo.of(p + "ffn_norm.weight", GgmlType.F32, N_EMBD));
            t.add(TensorInfo.of(p + "ffn_gate.weight", GgmlType.F32, N_EMBD, N_FF));
            t.add(TensorInfo.of(p + "ffn_up.weight", GgmlType.F32, N_EMBD, N_FF));
            t.add(TensorInfo.of(p + "ffn_down.weight", GgmlType.F32, N_FF, N_EMBD));
        }
        t.add(TensorInfo.of("output_norm.weight", GgmlType.F32, N_EMBD));
        t.add(TensorInfo.of("output.weight", GgmlType.F32, N_EMBD, N_VOCAB));
        return t;
    }

    /** The values of tensor k. */
    static float[] values(int k, TensorInfo t) {
        SplitMix64 g = new SplitMix64(20000 + k);
        float[] v = new float[(int) t.elementCount()];
        boolean oneD = t.nDims() == 1;
        for (int i = 0; i < v.length; i++) v[i] = oneD ? 1.0f + g.uni() * 0.0625f : g.gau() * 0.02f;
        return v;
    }

    /** The importance values {@code 0.05 + u*u} given to the quantizer for model tensor k. */
    static float[] importance(int k, long ne0) {
        SplitMix64 g = new SplitMix64(30000 + k);
        float[] v = new float[(int) ne0];
        for (int i = 0; i < v.length; i++) {
            float u = g.uni();
            v[i] = 0.05f + u * u;
        }
        return v;
    }

    /** The stored imatrix sums {@code (0.05 + u*u) * 2048} for model tensor k. */
    static float[] importanceSums(int k, long ne0) {
        SplitMix64 g = new SplitMix64(30000 + k);
        float[] v = new float[(int) ne0];
        for (int i = 0; i < v.length; i++) {
            float u = g.uni();
            v[i] = (0.05f + u * u) * 2048.0f;
        }
        return v;
    }

    /** Writes {@code tiny-f32.gguf} to {@code file} with the project's writer. */
    static void write(Path file) throws IOException {
        List<TensorInfo> ts = tensors();
        try (GgufWriter w = GgufWriter.builder().metadata(metadata()).addTensors(ts).open(file)) {
            for (int k = 0; k < ts.size(); k++) {
                float[] v = values(k, ts.get(k));
                MemorySegment seg = MemorySegment.ofArray(new byte[v.length * 4]);
                MemorySegment.copy(v, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, v.length);
                w.write(seg);
            }
            w.finish();
        }
    }
}
