package io.mbllm.engine.lora;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.MetaValue;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * Converts a Hugging Face PEFT LoRA directory ({@code adapter_config.json} + {@code adapter_model.safetensors}) into
 * a GGUF LoRA adapter for a given GGUF base model, as {@code convert_lora_to_gguf.py} does for llama-family models:
 * <ul>
 *   <li>{@code model.layers.N.self_attn.{q,k,v,o}_proj} → {@code blk.N.attn_{q,k,v,output}.weight},
 *       {@code mlp.{gate,up,down}_proj} → {@code blk.N.ffn_*.weight}, {@code lm_head} → {@code output.weight},
 *       {@code model.embed_tokens} → {@code token_embd.weight};</li>
 *   <li>{@code lora_A.weight} (r, n_in) is {@code lora_a} and {@code lora_B.weight} (n_out, r) is {@code lora_b}
 *       as they are; for the embedding, {@code lora_embedding_A} (r, n_vocab) is transposed into {@code lora_a}
 *       (ggml ne [r, n_vocab]) and {@code lora_embedding_B} (n_embd, r) is {@code lora_b};</li>
 *   <li>for the {@code llama} architecture the RoPE row permutation of q/k ({@code shared/docs/gguf.md} §6, with
 *       n_head for q and n_head_kv for k) is applied to the rows of {@code lora_b}; {@code lora_a} is unchanged;</li>
 *   <li>{@code adapter.lora.alpha} = {@code lora_alpha} (float32); with {@code use_rslora} (PEFT scale
 *       alpha/√r) it is {@code lora_alpha·√r} so that llama.cpp's alpha/r gives the same scale.</li>
 * </ul>
 * Refused with a {@link LoraException}: DoRA, LoRA biases, {@code alpha_pattern}, {@code rank_pattern} with rsLoRA,
 * {@code modules_to_save}, non-LoRA PEFT types, unknown modules, unpaired tensors, and a result that does not fit
 * the base model (checked with {@link LoraAdapter#checkFits}). The output appears only when complete and valid.
 */
public final class PeftImporter {
    private PeftImporter() {}

    /** What an import wrote. */
    public record Result(Path output, int pairs, float alpha, int rank, GgmlType type) {}

    private static final Pattern NAME = Pattern.compile(
            "^(?:base_model\\.model\\.)?(.+?)\\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B)(?:\\.weight)?$");
    private static final Pattern LAYER = Pattern.compile("^model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.(\\w+)_proj$");
    private static final List<String> TARGETS = List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down");

    /**
     * Imports {@code dir} for the model in {@code base} into {@code output}, with tensors of {@code type} (F32, F16,
     * BF16, or Q8_0 where rows allow it, else F16, as the converter does).
     *
     * @throws LoraException when the directory cannot be converted or the result does not fit the base
     * @throws IOException   when files cannot be read or written ({@link SafetensorsException} when malformed)
     */
    public static Result importDir(Path dir, Path base, Path output, GgmlType type) throws IOException, LoraException {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16 && type != GgmlType.Q8_0) {
            throw new IllegalArgumentException("output type must be f32, f16, bf16 or q8_0, got " + type.ggmlName());
        }
        Path cfgPath = dir.resolve("adapter_config.json");
        Path stPath = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(cfgPath)) throw new NoSuchFileException(cfgPath.toString());
        if (!Files.isRegularFile(stPath)) {
            if (Files.exists(dir.resolve("adapter_model.bin"))) {
                throw new LoraException(dir + ": adapter_model.bin (PyTorch pickle) is not supported; save the adapter as safetensors");
            }
            throw new NoSuchFileException(stPath.toString());
        }
        Config cfg = Config.read(cfgPath);
        try (GgufModelSource src = GgufModelSource.open(base); SafetensorsFile st = SafetensorsFile.open(stPath)) {
            String arch = src.meta("general.architecture").map(v -> v instanceof MetaValue.Text t ? t.value() : "").orElse("");
            if (arch.isEmpty()) throw new LoraException(base + ": no general.architecture");
            int nHead = intMeta(src, arch + ".attention.head_count", -1);
            int nHeadKv = intMeta(src, arch + ".attention.head_count_kv", nHead);
            boolean permute = arch.equals("llama");

            // pair tensors by GGUF base name; order: token_embd, layers (targets in llama.cpp order), output
            Map<String, float[][]> values = new TreeMap<>(Comparator.comparing(PeftImporter::orderKey));
            Map<String, long[][]> shapes = new TreeMap<>(Comparator.comparing(PeftImporter::orderKey));
            int rank = 0;
            for (SafetensorsFile.Tensor t : st.tensors().values()) {
                Matcher m = NAME.matcher(t.name());
                if (!m.matches()) throw new LoraException(stPath + ": unexpected tensor '" + t.name() + "' (only LoRA A/B weights are supported)");
                String gguf = ggufName(m.group(1), t.name(), stPath);
                String kind = m.group(2);
                boolean embedding = kind.startsWith("lora_embedding");
                if (embedding != gguf.equals(LoraPair.TOKEN_EMBD)) {
                    throw new LoraException(stPath + ": tensor '" + t.name() + "' does not fit module " + m.group(1));
                }
                long[] shape = t.shape();
                if (shape.length != 2 || shape[0] < 1 || shape[1] < 1) {
                    throw new LoraException(stPath + ": tensor '" + t.name() + "' must be a 2-D matrix, has shape " + java.util.Arrays.toString(shape));
                }
                float[] v = t.toFloats();
                int half = kind.endsWith("A") ? 0 : 1;
                long[] ggmlNe;
                if (embedding && half == 0) {
                    // PEFT (r, n_vocab) → numpy (n_vocab, r) = ggml ne [r, n_vocab]
                    v = transpose(v, (int) shape[0], (int) shape[1]);
                    ggmlNe = new long[] {shape[0], shape[1]};
                } else {
                    ggmlNe = new long[] {shape[1], shape[0]};
                }
                if (half == 1 && permute && (gguf.endsWith("attn_q.weight") || gguf.endsWith("attn_k.weight"))) {
                    int heads = gguf.endsWith("attn_q.weight") ? nHead : nHeadKv;
                    v = permuteRows(v, (int) shape[0], (int) shape[1], heads, t.name());
                }
                float[][] pair = values.computeIfAbsent(gguf, k -> new float[2][]);
                long[][] ne = shapes.computeIfAbsent(gguf, k -> new long[2][]);
                if (pair[half] != null) throw new LoraException(stPath + ": two tensors map to " + gguf + (half == 0 ? ".lora_a" : ".lora_b"));
                pair[half] = v;
                ne[half] = ggmlNe;
                if (half == 1) rank = Math.max(rank, (int) ggmlNe[0]);
            }
            if (values.isEmpty()) throw new LoraException(stPath + ": no LoRA tensors");
            for (var e : values.entrySet()) {
                if (e.getValue()[0] == null || e.getValue()[1] == null) {
                    throw new LoraException(stPath + ": LoRA tensor pair for '" + e.getKey() + "' is missing one component");
                }
            }
            float alpha = cfg.ggufAlpha();

            GgufMetadata meta = GgufMetadata.builder()
                    .put("general.architecture", arch)
                    .put("general.type", "adapter")
                    .put("general.name", dir.toAbsolutePath().normalize().getFileName() == null ? "lora"
                            : dir.toAbsolutePath().normalize().getFileName().toString())
                    .put("adapter.type", "lora")
                    .put("adapter.lora.alpha", GgufValue.f32(alpha))
                    .put("general.quantization_version", GgufValue.u32(2))
                    .build();
            List<TensorInfo> infos = new ArrayList<>();
            List<float[]> data = new ArrayList<>();
            for (var e : values.entrySet()) {
                for (int h = 0; h < 2; h++) {
                    long[] ne = shapes.get(e.getKey())[h];
                    GgmlType tt = type == GgmlType.Q8_0 && ne[0] % GgmlType.Q8_0.blockSize() != 0 ? GgmlType.F16 : type;
                    infos.add(TensorInfo.of(e.getKey() + (h == 0 ? ".lora_a" : ".lora_b"), tt, ne));
                    data.add(e.getValue()[h]);
                }
            }
            Path abs = output.toAbsolutePath();
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".import.partial");
            try {
                try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensors(infos).open(tmp)) {
                    for (int i = 0; i < infos.size(); i++) writeRows(w, infos.get(i), data.get(i));
                    w.finish();
                }
                try (LoraAdapter check = LoraAdapter.load(tmp)) {
                    check.checkFits(src, src.tensor("output.weight").isEmpty());
                }
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return new Result(abs, values.size(), alpha, rank, type);
        }
    }

    /** The settings of {@code adapter_config.json} that matter. */
    private record Config(int r, double alpha, boolean rslora) {
        static Config read(Path p) throws IOException, LoraException {
            Object root;
            try {
                root = JsonReader.parse(Files.readString(p, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new LoraException(p + ": " + e.getMessage());
            }
            if (!(root instanceof Map<?, ?> m)) throw new LoraException(p + ": not a JSON object");
            Object type = m.get("peft_type");
            if (type != null && !"LORA".equals(type)) throw new LoraException(p + ": peft_type " + type + " is not LORA");
            if (Boolean.TRUE.equals(m.get("use_dora"))) throw new LoraException(p + ": DoRA adapters are not supported");
            if (Boolean.TRUE.equals(m.get("fan_in_fan_out"))) throw new LoraException(p + ": fan_in_fan_out adapters are not supported");
            Object bias = m.get("bias");
            if (bias != null && !"none".equals(bias)) throw new LoraException(p + ": LoRA biases (bias = " + bias + ") cannot be stored in a GGUF adapter");
            if (m.get("modules_to_save") instanceof List<?> l && !l.isEmpty()) {
                throw new LoraException(p + ": modules_to_save " + l + " (fully trained modules) cannot be stored in a GGUF adapter");
            }
            if (m.get("alpha_pattern") instanceof Map<?, ?> ap && !ap.isEmpty()) {
                throw new LoraException(p + ": alpha_pattern (per-module alpha) cannot be stored in a GGUF adapter");
            }
            if (!(m.get("r") instanceof Long r) || r < 1) throw new LoraException(p + ": r must be a positive integer");
            if (!(m.get("lora_alpha") instanceof Number a)) throw new LoraException(p + ": lora_alpha must be a number");
            boolean rs = Boolean.TRUE.equals(m.get("use_rslora"));
            if (rs && m.get("rank_pattern") instanceof Map<?, ?> rp && !rp.isEmpty()) {
                throw new LoraException(p + ": rank_pattern with use_rslora cannot be stored in a GGUF adapter (one alpha per file)");
            }
            return new Config(Math.toIntExact(r), a.doubleValue(), rs);
        }

        /** The GGUF alpha: llama.cpp scales by alpha/r, rsLoRA by lora_alpha/√r. */
        float ggufAlpha() {
            return rslora ? (float) (alpha * Math.sqrt(r)) : (float) alpha;
        }
    }

    private static int intMeta(GgufModelSource src, String key, int dflt) {
        Optional<MetaValue> v = src.meta(key);
        return v.isPresent() && v.get() instanceof MetaValue.Num n ? n.value().intValue() : dflt;
    }

    /** The GGUF base tensor for a PEFT module path. */
    private static String ggufName(String module, String tensor, Path file) throws LoraException {
        if (module.equals("lm_head")) return "output.weight";
        if (module.equals("model.embed_tokens")) return LoraPair.TOKEN_EMBD;
        Matcher m = LAYER.matcher(module);
        if (m.matches()) {
            String target = switch (m.group(2) + "." + m.group(3)) {
                case "self_attn.q" -> "attn_q";
                case "self_attn.k" -> "attn_k";
                case "self_attn.v" -> "attn_v";
                case "self_attn.o" -> "attn_output";
                case "mlp.gate" -> "ffn_gate";
                case "mlp.up" -> "ffn_up";
                case "mlp.down" -> "ffn_down";
                default -> null;
            };
            if (target != null) return "blk." + Integer.parseInt(m.group(1)) + "." + target + ".weight";
        }
        throw new LoraException(file + ": tensor '" + tensor + "' targets module '" + module + "', which has no GGUF counterpart");
    }

    /** Sort key: token_embd first, then layer by layer in llama.cpp's target order, then output. */
    private static String orderKey(String gguf) {
        if (gguf.equals(LoraPair.TOKEN_EMBD)) return "0";
        if (gguf.startsWith("blk.")) {
            int dot = gguf.indexOf('.', 4);
            int layer = Integer.parseInt(gguf.substring(4, dot));
            String target = gguf.substring(dot + 1, gguf.length() - ".weight".length());
            return String.format(java.util.Locale.ROOT, "1%09d%02d", layer, TARGETS.indexOf(target));
        }
        return "2" + gguf;
    }

    /** Row-major (rows × cols) → (cols × rows). */
    private static float[] transpose(float[] v, int rows, int cols) {
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c];
        }
        return out;
    }

    /**
     * HF → GGUF q/k row order ({@code shared/docs/gguf.md} §6): within each of {@code heads} heads of d rows, HF row
     * {@code h·(d/2) + i} goes to row {@code 2i + h}.
     */
    private static float[] permuteRows(float[] v, int rows, int cols, int heads, String name) throws LoraException {
        if (heads < 1 || rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new LoraException("tensor '" + name + "': " + rows + " rows do not split into " + heads + " heads of even size");
        }
        int d = rows / heads, halfD = d / 2;
        float[] out = new float[v.length];
        for (int head = 0; head < heads; head++) {
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < halfD; i++) {
                    System.arraycopy(v, (head * d + h * halfD + i) * cols, out, (head * d + 2 * i + h) * cols, cols);
                }
            }
        }
        return out;
    }

    private static void writeRows(GgufWriter w, TensorInfo t, float[] v) throws IOException {
        int cols = Math.toIntExact(t.ne(0));
        int rows = Math.toIntExact(t.ne(1));
        QuantCodec c = QuantTypes.codec(t.type());
        byte[] row = new byte[Math.toIntExact(t.type().rowBytes(cols))];
        for (int r = 0; r < rows; r++) {
            c.quantizeRow(v, r * cols, null, 0, cols, row, 0);
            w.write(row);
        }
    }
}
