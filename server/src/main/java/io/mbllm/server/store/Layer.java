package io.mbllm.server.store;

import io.mbllm.engine.template.go.GoJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One manifest entry (a layer, or the config): media type, blob digest, byte size, and the optional
 * {@code from} (source file name or parent model) and {@code name} (safetensors tensor layers).
 *
 * @param mediaType e.g. {@code application/vnd.ollama.image.model}
 * @param digest    the blob
 * @param size      blob size in bytes
 * @param from      "" when absent
 * @param name      "" when absent
 */
public record Layer(String mediaType, Digest digest, long size, String from, String name) {

    public Layer {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("negative layer size");
        }
        from = from == null ? "" : from;
        name = name == null ? "" : name;
    }

    /** A layer without {@code from}/{@code name}. */
    public Layer(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, "", "");
    }

    /** The known kind of this layer, if any. */
    public Optional<LayerKind> kind() {
        return LayerKind.of(mediaType);
    }

    /** This layer with {@code from} set. */
    public Layer withFrom(String newFrom) {
        return new Layer(mediaType, digest, size, newFrom, name);
    }

    /** The Go-JSON object in Ollama's field order ({@code from} and {@code name} omitted when empty). */
    GoJson.Struct toJson() {
        List<Object> f = new ArrayList<>(List.of("mediaType", mediaType, "digest", digest.toString(), "size", size));
        if (!from.isEmpty()) {
            f.add("from");
            f.add(from);
        }
        if (!name.isEmpty()) {
            f.add("name");
            f.add(name);
        }
        return GoJson.Struct.of(f.toArray());
    }
}
