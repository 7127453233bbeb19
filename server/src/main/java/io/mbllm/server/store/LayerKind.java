package io.mbllm.server.store;

import java.util.Optional;

/** The layer media types of an Ollama manifest (modelfile.md §7), plus mbllm's own weights type. */
public enum LayerKind {
    /** GGUF weights. */
    MODEL("application/vnd.ollama.image.model"),
    /** mbllm-only weights (e.g. a llama2.c checkpoint); Ollama never mistakes them for GGUF. */
    MBLLM_MODEL("application/vnd.mbllm.image.model"),
    /** Vision/audio projector GGUF. */
    PROJECTOR("application/vnd.ollama.image.projector"),
    /** LoRA GGUF. */
    ADAPTER("application/vnd.ollama.image.adapter"),
    /** Go template text. */
    TEMPLATE("application/vnd.ollama.image.template"),
    /** Legacy name of the template layer, read the same way. */
    PROMPT("application/vnd.ollama.image.prompt"),
    /** System prompt text. */
    SYSTEM("application/vnd.ollama.image.system"),
    /** JSON object of options. */
    PARAMS("application/vnd.ollama.image.params"),
    /** JSON array of {role, content}. */
    MESSAGES("application/vnd.ollama.image.messages"),
    /** License text (one layer per license). */
    LICENSE("application/vnd.ollama.image.license"),
    /** Speculative draft model. */
    DRAFT("application/vnd.ollama.image.draft"),
    /** Safetensors tensor (experimental Ollama path; kept, not interpreted). */
    TENSOR("application/vnd.ollama.image.tensor"),
    /** Config JSON (experimental Ollama path; kept, not interpreted). */
    JSON("application/vnd.ollama.image.json"),
    /** Deprecated; ignored. */
    EMBED("application/vnd.ollama.image.embed");

    /** The manifest media type. */
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    /** The config blob media type. */
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";

    private final String mediaType;

    LayerKind(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The media type string. */
    public String mediaType() {
        return mediaType;
    }

    /** The kind of a media type, empty for one mbllm does not know (kept but not interpreted). */
    public static Optional<LayerKind> of(String mediaType) {
        for (LayerKind k : values()) {
            if (k.mediaType.equals(mediaType)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** True for the weights kinds (GGUF model or mbllm model). */
    public boolean isWeights() {
        return this == MODEL || this == MBLLM_MODEL;
    }
}
