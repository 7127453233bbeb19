package io.mbllm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.Half;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.WeightMatrix;
import io.mbllm.testkit.SharedData;
import io.mbllm.testkit.SplitMix64;

/** PEFT directory → GGUF adapter ({@link PeftImporter}), from PEFT files written here from known values. *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class PeftImportTest {
    static Parallel pool;
    static Path base;
    static Model model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        pool = new Parallel(2);
        LoraOracleTest.pool = pool;
        base = SharedData.require("models/stories260K.gguf");
        model = Model.open(base);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
        if (pool != null) pool.close();
    }

    /** A tensor to write: row-major shape and float values, stored as dtype F32 or F16. */
    record St(String name, String dtype, long[] shape, float[] values) {}

    /** Writes a safetensors file (header padded with spaces to 8 bytes, as the reference writer does). */
    static void writeSafetensors(Path file, List<St> tensors) throws Exception {
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (St t : tensors) {
            int size = t.dtype().equals("F32") ? 4 : 2;
            ByteBuffer bb = ByteBuffer.allocate(t.values().length * size).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : t.values()) {
                if (size == 4) bb.putFloat(v);
                else bb.putShort(Half.fromFloat(v));
            }
            long begin = data.size();
            data.write(bb.array());
            h.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[")
                    .append(t.shape()[0]).append(',').append(t.shape()[1]).append("],\"data_offsets\":[")
                    .append(begin).append(',').append(data.size()).append("]}");
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) h.append(' ');
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(len.array());
        all.write(hb);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }

    static float[] floats(ModelSource.Tensor t) {
        return t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    /** GGUF → HF row order of q/k (the inverse of the converter's permutation, written independently). */
    static float[] unpermute(float[] v, int rows, int cols, int heads) {
        int d = rows / heads;
        float[] out = new float[v.length];
        for (int head = 0; head < heads; head++) {
            for (int r = 0; r < d; r++) {
                // GGUF row r = 2i + h holds HF row h*(d/2) + i
                int i = r / 2, h = r % 2;
                System.arraycopy(v, (head * d + r) * cols, out, (head * d + h * (d / 2) + i) * cols, cols);
            }
        }
        return out;
    }

    static final Map<String, String> HF = Map.of("attn_q", "self_attn.q_proj", "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj", "attn_output", "self_attn.o_proj", "ffn_gate", "mlp.gate_proj",
            "ffn_up", "mlp.up_proj", "ffn_down", "mlp.down_proj");

    /** The PEFT module path of a GGUF block tensor, e.g. blk.3.attn_q.weight → model.layers.3.self_attn.q_proj. */
    static String hfModule(String gguf) {
        String[] p = gguf.split("\\.");
        return "model.layers." + p[1] + "." + HF.get(p[2]);
    }

    /**
     * Adapter (a) exported to PEFT form (HF q/k row order for lora_B, PyTorch shapes) and imported again gives
     * adapter (a) bit for bit, hence the lora-a.s1 oracle logits.
     */
    @Test
    void roundTripOfAdapterA() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("peft-a"));
        Path orig = SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf");
        List<St> st = new ArrayList<>();
        try (LoraAdapter a = LoraAdapter.load(orig)) {
            for (LoraPair p : a.pairs()) {
                String mod = "base_model.model." + hfModule(p.base());
                int r = p.rank(), nIn = (int) p.a().dim(0), nOut = (int) p.b().dim(1);
                float[] bv = floats(p.b());
                if (p.base().contains("attn_q")) bv = unpermute(bv, nOut, r, 8);
                if (p.base().contains("attn_k")) bv = unpermute(bv, nOut, r, 4);
                st.add(new St(mod + ".lora_A.weight", "F32", new long[] {r, nIn}, floats(p.a())));
                st.add(new St(mod + ".lora_B.weight", "F32", new long[] {nOut, r}, bv));
            }
        }
        java.util.Collections.reverse(st); // the importer orders tensors itself
        writeSafetensors(dir.resolve("adapter_model.safetensors"), st);
        Files.writeString(dir.resolve("adapter_config.json"), """
                {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "bias": "none", "use_rslora": false,
                 "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"], "modules_to_save": null,
                 "rank_pattern": {}, "alpha_pattern": {}}""");
        Path out = tmp.resolve("imported-a.gguf");
        PeftImporter.Result r = PeftImporter.importDir(dir, base, out, GgmlType.F32);
        assertEquals(20, r.pairs());
        assertEquals(8f, r.alpha());
        try (LoraAdapter a = LoraAdapter.load(orig); LoraAdapter b = LoraAdapter.load(out)) {
            assertEquals(a.alpha(), b.alpha());
            assertEquals("adapter", b.file().metadata().getString("general.type"));
            assertEquals("llama", b.architecture());
            assertEquals(a.file().tensors().size(), b.file().tensors().size());
            for (var t : a.file().tensors()) {
                var u = b.file().tensor(t.name());
                assertArrayEquals(t.ne(), u.ne(), t.name());
                assertEquals(t.type(), u.type());
                assertArrayEquals(a.file().tensorData(t).toArray(ValueLayout.JAVA_BYTE),
                        b.file().tensorData(u).toArray(ValueLayout.JAVA_BYTE), t.name());
            }
            LoraOracle o = LoraOracle.read("lora-a.s1", true);
            float[] got = LoraOracleTest.teacherForce(model, LoraSet.bind(model, List.of(new ScaledLora(b, 1f))), o);
            assertTrue(LoraOracleTest.maxAbsDiff(got, o.logits()) < 1e-4);
        }
    }

    /**
     * Random F16 PEFT weights with rsLoRA on q, k, down, lm_head and the embedding: applying the imported adapter
     * equals the merged math done in HF space, {@code (W_hf + α/√r · B·A) x}, brought to GGUF row order.
     */
    @Test
    void importedAdapterAppliedEqualsHfSpaceMath() throws Exception {
        int r = 3;
        double loraAlpha = 5.0, scale = loraAlpha / Math.sqrt(r);
        SplitMix64 rng = new SplitMix64(42);
        Map<String, float[][]> ab = new LinkedHashMap<>(); // module → {A (r×nIn), B (nOut×r)}, F16-rounded
        Map<String, int[]> dims = Map.of("model.layers.1.self_attn.q_proj", new int[] {64, 64},
                "model.layers.2.self_attn.k_proj", new int[] {64, 32}, "model.layers.0.mlp.down_proj", new int[] {172, 64},
                "lm_head", new int[] {64, 512});
        List<St> st = new ArrayList<>();
        for (var e : dims.entrySet()) {
            int nIn = e.getValue()[0], nOut = e.getValue()[1];
            float[] a = randomF16(rng, r * nIn, 0.3f), b = randomF16(rng, nOut * r, 0.2f);
            ab.put(e.getKey(), new float[][] {a, b});
            st.add(new St("base_model.model." + e.getKey() + ".lora_A.weight", "F16", new long[] {r, nIn}, a));
            st.add(new St("base_model.model." + e.getKey() + ".lora_B.weight", "F16", new long[] {nOut, r}, b));
        }
        float[] ea = randomF16(rng, r * 512, 0.5f), eb = randomF16(rng, 64 * r, 0.2f);
        st.add(new St("base_model.model.model.embed_tokens.lora_embedding_A", "F16", new long[] {r, 512}, ea));
        st.add(new St("base_model.model.model.embed_tokens.lora_embedding_B", "F16", new long[] {64, r}, eb));
        Path dir = Files.createDirectories(tmp.resolve("peft-rs"));
        writeSafetensors(dir.resolve("adapter_model.safetensors"), st);
        Files.writeString(dir.resolve("adapter_config.json"),
                "{\"peft_type\":\"LORA\",\"r\":3,\"lora_alpha\":5.0,\"use_rslora\":true,\"bias\":\"none\"}");
        Path out = tmp.resolve("imported-rs.gguf");
        PeftImporter.importDir(dir, base, out, GgmlType.F32);

        try (LoraAdapter ad = LoraAdapter.load(out)) {
            assertEquals((float) (5.0 * Math.sqrt(3)), ad.alpha());
            LoraSet set = LoraSet.bind(model, List.of(new ScaledLora(ad, 1f)));
            assertEquals(5, set.size());
            LoraMatMul mm = set.newMatMul(new ReferenceMatMul(pool), pool, 1);
            float[] x = new float[172];
            for (int i = 0; i < x.length; i++) x[i] = rng.uni();
            var layers = model.weights().layers();
            check(mm, layers.get(1).wq(), ab.get("model.layers.1.self_attn.q_proj"), r, scale, x, 8);
            check(mm, layers.get(2).wk(), ab.get("model.layers.2.self_attn.k_proj"), r, scale, x, 4);
            check(mm, layers.get(0).ffnDown(), ab.get("model.layers.0.mlp.down_proj"), r, scale, x, 0);
            check(mm, model.weights().output(), ab.get("lm_head"), r, scale, x, 0);
            // embedding: e_t + s · B · A[:, t]
            int[] tokens = {7, 300};
            float[] emb = new float[2 * 64];
            mm.addToEmbeddings(tokens, 0, 2, emb);
            for (int t = 0; t < 2; t++) {
                for (int e = 0; e < 64; e++) {
                    double want = 0;
                    for (int k = 0; k < r; k++) want += (double) eb[e * r + k] * ea[k * 512 + tokens[t]];
                    assertEquals(scale * want, emb[t * 64 + e], 1e-5, "embedding delta t" + t + " e" + e);
                }
            }
        }
    }

    /** {@code mm(W, x)} equals the HF-space product with the adapter merged, rows permuted back for q/k (heads > 0). */
    static void check(LoraMatMul mm, WeightMatrix w, float[][] ab, int r, double scale, float[] x, int heads) {
        int nIn = w.cols(), nOut = w.rows();
        float[] wv = new float[nIn * nOut];
        io.mbllm.gguf.quant.QuantTypes.codec(w.type()).dequantizeRow(w.data(), 0, wv, 0, nIn * nOut);
        float[] whf = heads > 0 ? unpermute(wv, nOut, nIn, heads) : wv;
        double[] yhf = new double[nOut];
        for (int o = 0; o < nOut; o++) {
            double acc = 0;
            for (int i = 0; i < nIn; i++) {
                double d = 0;
                for (int k = 0; k < r; k++) d += (double) ab[1][o * r + k] * ab[0][k * nIn + i];
                acc += (whf[o * nIn + i] + scale * d) * x[i];
            }
            yhf[o] = acc;
        }
        float[] got = new float[nOut];
        mm.matmul(w, x, 1, got);
        float[] gotHf = heads > 0 ? unpermute(got, nOut, 1, heads) : got;
        for (int o = 0; o < nOut; o++) assertEquals(yhf[o], gotHf[o], 1e-4 * (1 + Math.abs(yhf[o])), w.name() + " row " + o);
        // and the adapter really contributes
        float[] plain = new float[nOut];
        new ReferenceMatMul(pool).matmul(w, x, 1, plain);
        assertFalse(java.util.Arrays.equals(plain, got), w.name());
    }

    static float[] randomF16(SplitMix64 rng, int n, float amp) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Half.round(amp * rng.uni());
        return v;
    }

    @Test
    void unsupportedPeftDirectoriesAreRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        float[] a = new float[4 * 64], b = new float[64 * 4];
        writeSafetensors(dir.resolve("adapter_model.safetensors"), List.of(
                new St("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", "F32", new long[] {4, 64}, a),
                new St("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", "F32", new long[] {64, 4}, b)));
        Path out = tmp.resolve("never.gguf");
        for (String cfg : List.of("{\"r\":4,\"lora_alpha\":8,\"use_dora\":true}", "{\"r\":4,\"lora_alpha\":8,\"bias\":\"all\"}",
                "{\"r\":4,\"lora_alpha\":8,\"alpha_pattern\":{\"q_proj\":4}}", "{\"r\":4}", "{\"r\":4,\"lora_alpha\":8,",
                "{\"peft_type\":\"IA3\",\"r\":4,\"lora_alpha\":8}")) {
            Files.writeString(dir.resolve("adapter_config.json"), cfg);
            assertThrows(LoraException.class, () -> PeftImporter.importDir(dir, base, out, GgmlType.F32), cfg);
        }
        // a module without GGUF counterpart; an unpaired tensor; a shape that does not fit the base
        Files.writeString(dir.resolve("adapter_config.json"), "{\"r\":4,\"lora_alpha\":8}");
        writeSafetensors(dir.resolve("adapter_model.safetensors"), List.of(
                new St("base_model.model.model.layers.0.self_attn.rotary.lora_A.weight", "F32", new long[] {4, 64}, a)));
        assertThrows(LoraException.class, () -> PeftImporter.importDir(dir, base, out, GgmlType.F32));
        writeSafetensors(dir.resolve("adapter_model.safetensors"), List.of(
                new St("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", "F32", new long[] {4, 64}, a)));
        LoraException e = assertThrows(LoraException.class, () -> PeftImporter.importDir(dir, base, out, GgmlType.F32));
        assertTrue(e.getMessage().contains("missing one component"), e.getMessage());
        writeSafetensors(dir.resolve("adapter_model.safetensors"), List.of(
                new St("base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", "F32", new long[] {4, 64}, a),
                new St("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight", "F32", new long[] {64, 4}, b)));
        e = assertThrows(LoraException.class, () -> PeftImporter.importDir(dir, base, out, GgmlType.F32));
        assertTrue(e.getMessage().contains("has incorrect shape"), e.getMessage());
        // a malformed safetensors file is a typed error
        Files.write(dir.resolve("adapter_model.safetensors"), new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThrows(SafetensorsException.class, () -> PeftImporter.importDir(dir, base, out, GgmlType.F32));
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
        }
    }
}
