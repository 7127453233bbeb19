package io.mbllm.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.engine.template.go.GoJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An Ollama model manifest (Docker v2 schema 2 shape): {@code schemaVersion} 2, the manifest media type, the
 * config blob and the layers in order.
 *
 * @param schemaVersion 2
 * @param mediaType     {@link LayerKind#MANIFEST_MEDIA_TYPE}
 * @param config        the config blob entry ({@link LayerKind#CONFIG_MEDIA_TYPE})
 * @param layers        the layers
 */
public record Manifest(int schemaVersion, String mediaType, Layer config, List<Layer> layers) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Manifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
    }

    /** A schema-2 manifest with the standard media type. */
    public static Manifest of(Layer config, List<Layer> layers) {
        return new Manifest(2, LayerKind.MANIFEST_MEDIA_TYPE, config, layers);
    }

    /** The file bytes exactly as Ollama writes them: Go's JSON encoding plus {@code \n}. */
    public byte[] toBytes() {
        List<Object> ls = new ArrayList<>();
        for (Layer l : layers) {
            ls.add(l.toJson());
        }
        GoJson.Struct s = GoJson.Struct.of("schemaVersion", schemaVersion, "mediaType", mediaType,
                "config", config.toJson(), "layers", ls);
        try {
            return (GoJson.marshal(s) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (GoJson.UnsupportedValueException e) {
            throw new IllegalStateException(e); // strings and integers only
        }
    }

    /** Parses manifest bytes; {@code where} names the file in the error. */
    public static Manifest parse(byte[] bytes, String where) throws CorruptStoreException {
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new CorruptStoreException("manifest " + where + " is not a JSON object");
            }
            Layer config = layer(root.get("config"), where);
            List<Layer> layers = new ArrayList<>();
            JsonNode ls = root.get("layers");
            if (ls != null && !ls.isNull()) {
                if (!ls.isArray()) {
                    throw new CorruptStoreException("manifest " + where + ": layers is not an array");
                }
                for (JsonNode l : ls) {
                    layers.add(layer(l, where));
                }
            }
            return new Manifest(root.path("schemaVersion").asInt(2),
                    root.path("mediaType").asText(LayerKind.MANIFEST_MEDIA_TYPE), config, layers);
        } catch (IOException e) {
            throw new CorruptStoreException("manifest " + where + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Layer layer(JsonNode n, String where) throws CorruptStoreException {
        if (n == null || !n.isObject() || !n.path("mediaType").isTextual() || !n.path("digest").isTextual()
                || !n.path("size").canConvertToLong() || n.path("size").asLong() < 0) {
            throw new CorruptStoreException("manifest " + where + " has a malformed layer");
        }
        try {
            return new Layer(n.get("mediaType").asText(), Digest.parse(n.get("digest").asText()),
                    n.get("size").asLong(), n.path("from").asText(""), n.path("name").asText(""));
        } catch (InvalidDigestException e) {
            throw new CorruptStoreException("manifest " + where + " has a malformed digest", e);
        }
    }

    /** Σ layer sizes + config size (the {@code size} of list/ps). */
    public long totalSize() {
        long s = config.size();
        for (Layer l : layers) {
            s += l.size();
        }
        return s;
    }

    /** Every blob this manifest references: the config and all layers. */
    public Set<Digest> blobs() {
        Set<Digest> d = new LinkedHashSet<>();
        d.add(config.digest());
        for (Layer l : layers) {
            d.add(l.digest());
        }
        return d;
    }

    /** The layers of {@code kind}, in order. */
    public List<Layer> layers(LayerKind kind) {
        return layers.stream().filter(l -> l.mediaType().equals(kind.mediaType())).toList();
    }

    /** The weights layer (GGUF model, or mbllm model), if any. */
    public Optional<Layer> modelLayer() {
        return layers.stream().filter(l -> l.kind().map(LayerKind::isWeights).orElse(false)).findFirst();
    }
}
