package io.mbllm.server.infer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.mbllm.engine.template.go.Capability;
import io.mbllm.engine.template.go.GoTemplateException;
import io.mbllm.engine.template.go.PromptTemplate;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.server.api.ModelDetails;
import io.mbllm.server.api.ShowResponse;
import io.mbllm.server.sched.ResolvedModel;

/**
 * What list/show/ps report about a model, read from its GGUF header (without loading weights) and its
 * template: details, capabilities, {@code model_info}, tensors. Cached per file and digest.
 *
 * @param details        family, parameter size, quantization level
 * @param capabilities   {@code completion} (or {@code embedding} for embedding models) plus {@code tools}/{@code insert}/{@code thinking} from the template
 * @param contextLength  {@code <arch>.context_length} (0 when absent)
 * @param chatTemplate   the GGUF's Jinja chat template, or null
 * @param metadata       the GGUF metadata
 * @param tensors        the tensor table
 */
public record ModelInfo(ModelDetails details, List<String> capabilities, int contextLength, String chatTemplate,
                        GgufMetadata metadata, List<TensorInfo> tensors) {

    private static final Map<String, ModelInfo> CACHE = new ConcurrentHashMap<>();

    /**
     * Reads (or recalls) the info of {@code model}.
     *
     * @throws IOException when the GGUF cannot be read
     */
    public static ModelInfo of(ResolvedModel model) throws IOException {
        String key = model.file().toAbsolutePath() + "#" + model.digest() + "#" + model.template();
        ModelInfo cached = CACHE.get(key);
        if (cached != null) return cached;
        ModelInfo info = read(model);
        if (CACHE.size() > 256) CACHE.clear();
        CACHE.put(key, info);
        return info;
    }

    private static ModelInfo read(ResolvedModel model) throws IOException {
        Path path = model.file();
        try (GgufFile f = GgufFile.open(path)) {
            GgufMetadata md = f.metadata();
            String arch = md.findString("general.architecture").orElse("unknown");
            long params = 0;
            Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
            for (TensorInfo t : f.tensors()) {
                params += t.elementCount();
                if (t.nDims() >= 2) byType.merge(t.type(), t.elementCount(), Long::sum);
            }
            if (md.contains("general.parameter_count")) params = md.getLong("general.parameter_count");
            String quant = md.contains("general.file_type") ? fileTypeName(md.getInt("general.file_type"))
                    : byType.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().name()).orElse("unknown");
            ModelDetails details = new ModelDetails("", "gguf", arch, List.of(arch), parameterSize(params), quant);
            String jinja = md.findString("tokenizer.chat_template").orElse(null);
            int ctx = md.findInt(arch + ".context_length").orElse(0);
            List<String> caps = new ArrayList<>();
            // generative models answer /api/embed too (mean-pooled hidden state) but only models made for
            // embeddings (a pooling type in their metadata) claim the capability, so that clients keep chatting
            if (md.contains(arch + ".pooling_type")) caps.add("embedding");
            else caps.add("completion");
            for (Capability c : templateCapabilities(model.template(), jinja)) caps.add(c.wireName());
            return new ModelInfo(details, List.copyOf(caps), ctx, jinja, md, List.copyOf(f.tensors()));
        }
    }

    /** Capabilities a template gives: from the Modelfile TEMPLATE, else guessed from the Jinja template. */
    static List<Capability> templateCapabilities(String goTemplate, String jinja) {
        if (goTemplate != null) {
            try {
                return List.copyOf(PromptTemplate.parse(goTemplate).capabilities());
            } catch (GoTemplateException e) {
                return List.of();
            }
        }
        if (jinja != null && jinja.contains("tools")) return List.of(Capability.TOOLS);
        return List.of();
    }

    /** Whether the model has a capability ({@code tools}, {@code insert}, {@code thinking}, ...). */
    public boolean has(String capability) {
        return capabilities.contains(capability);
    }

    /** Ollama's {@code parameter_size} text (api-contract §3.7). */
    static String parameterSize(long n) {
        if (n >= 1_000_000_000L) return whole(n / 1e9, "%.1f") + "B";
        if (n >= 1_000_000L) return whole(n / 1e6, "%.2f") + "M";
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.0fK", n / 1e3);
        return Long.toString(n);
    }

    private static String whole(double v, String fmt) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, fmt, v);
    }

    /** llama.cpp's {@code general.file_type} names. */
    static String fileTypeName(int ft) {
        return switch (ft) {
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 19 -> "IQ2_XXS";
            case 20 -> "IQ2_XS";
            case 24 -> "IQ1_S";
            case 25 -> "IQ4_NL";
            case 26 -> "IQ3_S";
            case 30 -> "IQ4_XS";
            case 32 -> "BF16";
            default -> "unknown";
        };
    }

    /** {@code model_info}: the metadata without {@code general.name} and the chat template; long arrays as [] unless verbose. */
    public Map<String, Object> modelInfo(boolean verbose) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, GgufValue> e : metadata.asMap().entrySet()) {
            String k = e.getKey();
            if (k.equals("general.name") || k.equals("tokenizer.chat_template")) continue;
            out.put(k, toJson(e.getValue(), verbose));
        }
        return out;
    }

    /** The tensor table as show reports it. */
    public List<ShowResponse.TensorInfo> tensorInfos() {
        return tensors.stream().map(t -> new ShowResponse.TensorInfo(t.name(), t.type().name(), t.ne())).toList();
    }

    private static Object toJson(GgufValue v, boolean verbose) {
        return switch (v) {
            case GgufValue.UInt8 x -> x.value();
            case GgufValue.Int8 x -> x.value();
            case GgufValue.UInt16 x -> x.value();
            case GgufValue.Int16 x -> x.value();
            case GgufValue.UInt32 x -> x.value();
            case GgufValue.Int32 x -> x.value();
            case GgufValue.Float32 x -> x.value();
            case GgufValue.Bool x -> x.value();
            case GgufValue.UInt64 x -> Long.toUnsignedString(x.bits());
            case GgufValue.Int64 x -> x.value();
            case GgufValue.Float64 x -> x.value();
            case GgufValue.Str x -> x.text();
            case GgufValue.Array a -> arrayJson(a, verbose);
        };
    }

    private static List<Object> arrayJson(GgufValue.Array a, boolean verbose) {
        if (!verbose && a.size() > 5) return List.of();
        List<Object> out = new ArrayList<>(a.size());
        switch (a) {
            case GgufValue.StringArray s -> out.addAll(s.asList());
            case GgufValue.NumericArray n -> {
                boolean floating = n.elementType().name().startsWith("FLOAT");
                for (int i = 0; i < n.size(); i++) out.add(floating ? (Object) n.getDouble(i) : (Object) n.getLong(i));
            }
            case GgufValue.NestedArray n -> {
                for (GgufValue.Array e : n.elements()) out.add(arrayJson(e, verbose));
            }
        }
        return out;
    }
}
