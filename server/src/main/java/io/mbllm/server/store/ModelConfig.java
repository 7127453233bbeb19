package io.mbllm.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.engine.template.go.GoJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * The config blob of a manifest (Ollama {@code model.ConfigV2}): format, family, parameter size and file type
 * shown in {@code details}, plus the OCI fields. Absent optional values are {@code ""}, {@code 0} or empty.
 *
 * @param modelFormat     {@code gguf}, or mbllm's own format name
 * @param modelFamily     e.g. {@code llama}
 * @param modelFamilies   e.g. {@code [llama]}
 * @param modelType       human parameter count, shown as {@code parameter_size} ({@code 3.2B})
 * @param fileType        shown as {@code quantization_level} ({@code Q4_K_M})
 * @param renderer        Ollama built-in renderer name, usually ""
 * @param parser          Ollama built-in parser name, usually ""
 * @param requires        minimum server version, usually ""
 * @param capabilities    optional capabilities list
 * @param contextLength   optional context length (0 = absent)
 * @param embeddingLength optional embedding length (0 = absent)
 * @param baseName        optional base name
 * @param architecture    Go {@code GOARCH} of the creator ({@code amd64})
 * @param os              Go {@code GOOS} of the creator ({@code linux})
 * @param diffIds         {@code rootfs.diff_ids}: the layer digests, as Ollama records them
 * @param adapterScales   mbllm extension {@code adapter_scales}: the user scale of adapter layers (by digest
 *                        {@code sha256:<hex>}) whose scale is not 1; Ollama ignores the field. Absent when empty,
 *                        so that a model with unscaled adapters has Ollama's exact config bytes
 */
public record ModelConfig(String modelFormat, String modelFamily, List<String> modelFamilies, String modelType,
        String fileType, String renderer, String parser, String requires, List<String> capabilities,
        long contextLength, long embeddingLength, String baseName, String architecture, String os,
        List<Digest> diffIds, Map<String, Float> adapterScales) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        modelFormat = nz(modelFormat);
        modelFamily = nz(modelFamily);
        modelFamilies = List.copyOf(modelFamilies);
        modelType = nz(modelType);
        fileType = nz(fileType);
        renderer = nz(renderer);
        parser = nz(parser);
        requires = nz(requires);
        capabilities = List.copyOf(capabilities);
        baseName = nz(baseName);
        architecture = nz(architecture);
        os = nz(os);
        diffIds = List.copyOf(diffIds);
        adapterScales = adapterScales == null || adapterScales.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(adapterScales));
    }

    /** A config without adapter scales (every adapter at scale 1). */
    public ModelConfig(String modelFormat, String modelFamily, List<String> modelFamilies, String modelType,
            String fileType, String renderer, String parser, String requires, List<String> capabilities,
            long contextLength, long embeddingLength, String baseName, String architecture, String os,
            List<Digest> diffIds) {
        this(modelFormat, modelFamily, modelFamilies, modelType, fileType, renderer, parser, requires, capabilities,
                contextLength, embeddingLength, baseName, architecture, os, diffIds, Map.of());
    }

    /** A config for weights of {@code format}/{@code family}, on this machine's architecture and OS. */
    public static ModelConfig of(String format, String family, String parameterSize, String fileType) {
        return new ModelConfig(format, family, family.isEmpty() ? List.of() : List.of(family), parameterSize,
                fileType, "", "", "", List.of(), 0, 0, "", goArch(), goOs(), List.of());
    }

    /** This config with {@code rootfs.diff_ids} set to {@code layers}' digests (done when committing). */
    public ModelConfig withDiffIds(List<Layer> layers) {
        return new ModelConfig(modelFormat, modelFamily, modelFamilies, modelType, fileType, renderer, parser,
                requires, capabilities, contextLength, embeddingLength, baseName, architecture, os,
                layers.stream().map(Layer::digest).toList(), adapterScales);
    }

    /** This config with {@code requires} set. */
    public ModelConfig withRequires(String version) {
        return new ModelConfig(modelFormat, modelFamily, modelFamilies, modelType, fileType, renderer, parser,
                version, capabilities, contextLength, embeddingLength, baseName, architecture, os, diffIds,
                adapterScales);
    }

    /** This config with the adapter scales set (entries of scale 1 are dropped). */
    public ModelConfig withAdapterScales(Map<String, Float> scales) {
        Map<String, Float> kept = new java.util.TreeMap<>();
        scales.forEach((d, v) -> {
            if (v != 1f) {
                kept.put(d, v);
            }
        });
        return new ModelConfig(modelFormat, modelFamily, modelFamilies, modelType, fileType, renderer, parser,
                requires, capabilities, contextLength, embeddingLength, baseName, architecture, os, diffIds, kept);
    }

    /** The user scale of the adapter layer with this digest: 1 unless {@code adapter_scales} says otherwise. */
    public float adapterScale(Digest adapter) {
        return adapterScales.getOrDefault(adapter.toString(), 1f);
    }

    /** The blob bytes: Go's JSON encoding of ConfigV2 (field order as Ollama's struct) plus {@code \n}. */
    public byte[] toBytes() {
        List<Object> f = new ArrayList<>(List.of("model_format", modelFormat, "model_family", modelFamily,
                "model_families", modelFamilies, "model_type", modelType, "file_type", fileType,
                "renderer", renderer, "parser", parser, "requires", requires));
        if (!capabilities.isEmpty()) {
            f.addAll(List.of("capabilities", capabilities));
        }
        if (contextLength != 0) {
            f.addAll(List.of("context_length", contextLength));
        }
        if (embeddingLength != 0) {
            f.addAll(List.of("embedding_length", embeddingLength));
        }
        if (!baseName.isEmpty()) {
            f.addAll(List.of("base_name", baseName));
        }
        if (!adapterScales.isEmpty()) {
            f.addAll(List.of("adapter_scales", adapterScales));
        }
        f.addAll(List.of("architecture", architecture, "os", os, "rootfs", GoJson.Struct.of("type", "layers",
                "diff_ids", diffIds.stream().map(Digest::toString).toList())));
        try {
            return (GoJson.marshal(GoJson.Struct.of(f.toArray())) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (GoJson.UnsupportedValueException e) {
            throw new IllegalStateException(e); // strings, lists and integers only
        }
    }

    /** Parses a config blob; unknown fields are ignored, missing ones default. */
    public static ModelConfig parse(byte[] bytes, String where) throws CorruptStoreException {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new CorruptStoreException("config blob " + where + " is not a JSON object");
            }
            List<Digest> diff = new ArrayList<>();
            for (JsonNode d : n.path("rootfs").path("diff_ids")) {
                try {
                    diff.add(Digest.parse(d.asText()));
                } catch (InvalidDigestException ignored) {
                    // informational only; a foreign value is dropped
                }
            }
            return new ModelConfig(n.path("model_format").asText(""), n.path("model_family").asText(""),
                    strings(n.path("model_families")), n.path("model_type").asText(""),
                    n.path("file_type").asText(""), n.path("renderer").asText(""), n.path("parser").asText(""),
                    n.path("requires").asText(""), strings(n.path("capabilities")),
                    n.path("context_length").asLong(0), n.path("embedding_length").asLong(0),
                    n.path("base_name").asText(""), n.path("architecture").asText(""), n.path("os").asText(""),
                    diff, scales(n.path("adapter_scales")));
        } catch (IOException e) {
            throw new CorruptStoreException("config blob " + where + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, Float> scales(JsonNode obj) {
        Map<String, Float> out = new java.util.TreeMap<>();
        for (var it = obj.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().isNumber() && Float.isFinite(e.getValue().floatValue())) {
                out.put(e.getKey(), e.getValue().floatValue());
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : arr) {
            out.add(s.asText());
        }
        return out;
    }

    private static String nz(String s) {
        return Objects.requireNonNullElse(s, "");
    }

    /** Go's {@code GOARCH} name of this JVM's architecture. */
    static String goArch() {
        String a = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> a;
        };
    }

    /** Go's {@code GOOS} name of this JVM's OS. */
    static String goOs() {
        String o = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (o.startsWith("mac") || o.startsWith("darwin")) {
            return "darwin";
        }
        if (o.startsWith("windows")) {
            return "windows";
        }
        return o.startsWith("linux") ? "linux" : o;
    }
}
