package io.mbllm.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.server.store.LayerKind;
import io.mbllm.server.store.ModelBuilder;
import io.mbllm.server.store.ModelConfig;
import io.mbllm.server.store.ModelName;
import io.mbllm.server.store.ModelStore;
import io.mbllm.testkit.SharedData;

/**
 * The models the integration tests serve: the real stories260K (shared data) and a tiny random llama with a
 * ChatML chat template, written with {@link GgufWriter}.
 */
final class TestModels {
    private TestModels() {}

    /** ChatML control tokens appended to the stories260K vocabulary of the synthetic model. */
    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";

    /** A ChatML Jinja template that also lists the offered tools in a system turn. */
    static final String CHATML = """
            {%- if tools %}<|im_start|>system
            Tools:{% for t in tools %} {{ t.function.name }}{% endfor %}<|im_end|>
            {% endif %}
            {%- for message in messages %}<|im_start|>{{ message.role }}
            {% if message.tool_calls %}{% for c in message.tool_calls %}<tool_call>{{ c.function.name }}</tool_call>{% endfor %}{% endif %}
            {{- message.content }}<|im_end|>
            {% endfor %}
            {%- if add_generation_prompt %}<|im_start|>assistant
            {% endif %}""";

    /** {@code /work/shared/models/stories260K.gguf} through {@link SharedData}. */
    static Path stories() {
        return SharedData.require("models/stories260K.gguf");
    }

    /** run.c's greedy text after "Once upon a time" (60 tokens; shared/models/README.md). */
    static String onceUponATime60() throws IOException {
        String file = Files.readString(SharedData.require("models/stories260K.expected.once-upon-a-time.n64.txt"), StandardCharsets.UTF_8);
        String prompt = "Once upon a time";
        if (!file.startsWith(prompt) || !file.endsWith("\n")) throw new IllegalStateException("unexpected golden file");
        return file.substring(prompt.length(), file.length() - 1);
    }

    /**
     * Seeds {@code gguf} into the store at {@code root} as {@code name} (weights only) — the way models get in
     * until {@code /api/create} lands; the server must not be running on that store yet.
     */
    static void seed(Path root, String name, Path gguf, String family, String paramSize, String quant) throws IOException {
        ModelStore store = ModelStore.open(root);
        try (ModelBuilder b = store.newModel(); InputStream in = Files.newInputStream(gguf)) {
            b.addLayer(LayerKind.MODEL.mediaType(), in, null, gguf.getFileName().toString());
            b.config(ModelConfig.of("gguf", family, paramSize, quant));
            b.commit(ModelName.parse(name));
        } catch (io.mbllm.server.store.StoreException e) {
            throw new IOException(e);
        }
    }

    /**
     * A random 2-layer llama (dim 32, GQA 4/2, F32) with the stories260K tokenizer plus {@link #IM_START} (id 512)
     * and {@link #IM_END} (id 513, the EOS) as control tokens, and {@link #CHATML} as its chat template.
     */
    static Path writeChatMl(Path file) throws IOException {
        GgufMetadata.Builder meta = GgufMetadata.builder();
        int vocab;
        try (GgufFile src = GgufFile.open(stories())) {
            GgufMetadata m = src.metadata();
            List<String> tokens = new ArrayList<>(m.getStringArray("tokenizer.ggml.tokens"));
            float[] scores = m.getFloatArray("tokenizer.ggml.scores");
            int[] types = m.getIntArray("tokenizer.ggml.token_type");
            tokens.add(IM_START);
            tokens.add(IM_END);
            vocab = tokens.size();
            float[] sc = java.util.Arrays.copyOf(scores, vocab);
            int[] ty = java.util.Arrays.copyOf(types, vocab);
            ty[vocab - 2] = 3;
            ty[vocab - 1] = 3;
            meta.put("general.architecture", "llama");
            meta.put("general.name", "chatml-synthetic");
            meta.put("llama.context_length", GgufValue.u32(512));
            meta.put("llama.embedding_length", GgufValue.u32(32));
            meta.put("llama.block_count", GgufValue.u32(2));
            meta.put("llama.feed_forward_length", GgufValue.u32(48));
            meta.put("llama.attention.head_count", GgufValue.u32(4));
            meta.put("llama.attention.head_count_kv", GgufValue.u32(2));
            meta.put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5f));
            meta.put("llama.rope.freq_base", GgufValue.f32(10000f));
            meta.put("llama.rope.dimension_count", GgufValue.u32(8));
            meta.put("general.file_type", GgufValue.u32(0));
            meta.put("tokenizer.ggml.model", m.getString("tokenizer.ggml.model"));
            meta.put("tokenizer.ggml.tokens", GgufValue.StringArray.of(tokens));
            meta.put("tokenizer.ggml.scores", GgufValue.NumericArray.ofFloat32(sc));
            meta.put("tokenizer.ggml.token_type", GgufValue.NumericArray.ofInt32(ty));
            meta.put("tokenizer.ggml.bos_token_id", GgufValue.u32(1));
            meta.put("tokenizer.ggml.eos_token_id", GgufValue.u32(vocab - 1));
            meta.put("tokenizer.ggml.unknown_token_id", GgufValue.u32(0));
            meta.put("tokenizer.chat_template", CHATML);
        }
        int dim = 32, ff = 48, layers = 2, heads = 4, kvHeads = 2, hd = dim / heads;
        Random rnd = new Random(20260825L);
        List<Object[]> tensors = new ArrayList<>();
        tensors.add(new Object[] {"token_embd.weight", gauss(rnd, dim * vocab, 1.0), dim, vocab});
        tensors.add(new Object[] {"output_norm.weight", around1(rnd, dim), dim});
        tensors.add(new Object[] {"output.weight", gauss(rnd, dim * vocab, 1.0 / Math.sqrt(dim)), dim, vocab});
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            tensors.add(new Object[] {p + "attn_norm.weight", around1(rnd, dim), dim});
            tensors.add(new Object[] {p + "attn_q.weight", gauss(rnd, dim * heads * hd, 1.0 / Math.sqrt(dim)), dim, heads * hd});
            tensors.add(new Object[] {p + "attn_k.weight", gauss(rnd, dim * kvHeads * hd, 1.0 / Math.sqrt(dim)), dim, kvHeads * hd});
            tensors.add(new Object[] {p + "attn_v.weight", gauss(rnd, dim * kvHeads * hd, 1.0 / Math.sqrt(dim)), dim, kvHeads * hd});
            tensors.add(new Object[] {p + "attn_output.weight", gauss(rnd, heads * hd * dim, 1.0 / Math.sqrt(dim)), heads * hd, dim});
            tensors.add(new Object[] {p + "ffn_norm.weight", around1(rnd, dim), dim});
            tensors.add(new Object[] {p + "ffn_gate.weight", gauss(rnd, dim * ff, 1.0 / Math.sqrt(dim)), dim, ff});
            tensors.add(new Object[] {p + "ffn_up.weight", gauss(rnd, dim * ff, 1.0 / Math.sqrt(dim)), dim, ff});
            tensors.add(new Object[] {p + "ffn_down.weight", gauss(rnd, ff * dim, 1.0 / Math.sqrt(ff)), ff, dim});
        }
        GgufWriter.Builder b = GgufWriter.builder().metadata(meta.build());
        for (Object[] t : tensors) {
            long[] shape = new long[t.length - 2];
            for (int i = 2; i < t.length; i++) shape[i - 2] = (Integer) t[i];
            b.addTensor((String) t[0], GgmlType.F32, shape);
        }
        try (GgufWriter w = b.open(file)) {
            for (Object[] t : tensors) {
                float[] v = (float[]) t[1];
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                w.write(bb.array());
            }
            w.finish();
        }
        return file;
    }

    /**
     * A random F16 llama with the stories260K tokenizer, {@code layers} blocks of width {@code dim} and feed-forward
     * {@code ff} (16 heads): big enough (dim 1024, ff 2816, 2 layers: about 52 MB) that quantizing it takes seconds.
     */
    static Path writeBigF16(Path file, int dim, int ff, int layers) throws IOException {
        GgufMetadata.Builder meta = GgufMetadata.builder();
        int vocab;
        try (GgufFile src = GgufFile.open(stories())) {
            GgufMetadata m = src.metadata();
            vocab = m.getStringArray("tokenizer.ggml.tokens").size();
            for (String key : List.of("tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.scores",
                    "tokenizer.ggml.token_type", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
                meta.put(key, m.get(key));
            }
        }
        int heads = 16;
        meta.put("general.architecture", "llama");
        meta.put("general.name", "big-f16-synthetic");
        meta.put("llama.context_length", GgufValue.u32(256));
        meta.put("llama.embedding_length", GgufValue.u32(dim));
        meta.put("llama.block_count", GgufValue.u32(layers));
        meta.put("llama.feed_forward_length", GgufValue.u32(ff));
        meta.put("llama.attention.head_count", GgufValue.u32(heads));
        meta.put("llama.attention.head_count_kv", GgufValue.u32(heads));
        meta.put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5f));
        meta.put("llama.rope.dimension_count", GgufValue.u32(dim / heads));
        meta.put("general.file_type", GgufValue.u32(1));
        List<Object[]> tensors = new ArrayList<>();
        tensors.add(new Object[] {"token_embd.weight", GgmlType.F16, new long[] {dim, vocab}});
        tensors.add(new Object[] {"output_norm.weight", GgmlType.F32, new long[] {dim}});
        tensors.add(new Object[] {"output.weight", GgmlType.F16, new long[] {dim, vocab}});
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            tensors.add(new Object[] {p + "attn_norm.weight", GgmlType.F32, new long[] {dim}});
            for (String n : List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
                tensors.add(new Object[] {p + n + ".weight", GgmlType.F16, new long[] {dim, dim}});
            }
            tensors.add(new Object[] {p + "ffn_norm.weight", GgmlType.F32, new long[] {dim}});
            tensors.add(new Object[] {p + "ffn_gate.weight", GgmlType.F16, new long[] {dim, ff}});
            tensors.add(new Object[] {p + "ffn_up.weight", GgmlType.F16, new long[] {dim, ff}});
            tensors.add(new Object[] {p + "ffn_down.weight", GgmlType.F16, new long[] {ff, dim}});
        }
        GgufWriter.Builder b = GgufWriter.builder().metadata(meta.build());
        for (Object[] t : tensors) b.addTensor((String) t[0], (GgmlType) t[1], (long[]) t[2]);
        Random rnd = new Random(20261125L);
        try (GgufWriter w = b.open(file)) {
            for (Object[] t : tensors) {
                long n = 1;
                for (long d : (long[]) t[2]) n *= d;
                boolean f16 = t[1] == GgmlType.F16;
                ByteBuffer bb = ByteBuffer.allocate((int) n * (f16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i++) {
                    float v = f16 ? (rnd.nextFloat() - 0.5f) * 0.1f : 1f;
                    if (f16) bb.putShort(Float.floatToFloat16(v)); else bb.putFloat(v);
                }
                w.write(bb.array());
            }
            w.finish();
        }
        return file;
    }

    /**
     * stories260K with the output row of its EOS token (id 2) zeroed: that logit is always 0 while the best of
     * the other 511 is positive, so greedy decoding never ends by itself and runs to {@code num_predict} or the
     * end of the context — a generation that holds its slot for seconds unless it is cancelled.
     */
    static Path writeEndlessStories(Path file) throws IOException {
        try (GgufFile src = GgufFile.open(stories())) {
            int eos = src.metadata().getInt("tokenizer.ggml.eos_token_id");
            GgufWriter.Builder b = GgufWriter.builder().metadata(src.metadata());
            for (var t : src.tensors()) b.addTensor(t.name(), t.type(), t.ne());
            try (GgufWriter w = b.open(file)) {
                for (var t : src.tensors()) {
                    var data = src.tensorData(t);
                    if (t.name().equals("output.weight")) {
                        if (t.type() != GgmlType.F32) throw new IllegalStateException("expected F32 output.weight");
                        byte[] bytes = data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        long row = t.rowBytes();
                        java.util.Arrays.fill(bytes, (int) (eos * row), (int) ((eos + 1) * row), (byte) 0);
                        w.write(bytes);
                    } else {
                        w.write(data);
                    }
                }
                w.finish();
            }
        }
        return file;
    }

    private static float[] gauss(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    private static float[] around1(Random rnd, int n) {
        float[] a = gauss(rnd, n, 0.2);
        for (int i = 0; i < n; i++) a[i] += 1f;
        return a;
    }
}
