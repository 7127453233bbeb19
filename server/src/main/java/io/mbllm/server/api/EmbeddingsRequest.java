package io.mbllm.server.api;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of the legacy {@code POST /api/embeddings}. */
public record EmbeddingsRequest(String model, String name, String prompt, Map<String, Object> options,
                                JsonNode keepAlive) {

    public String modelName() {
        return model != null && !model.isEmpty() ? model : name;
    }
}
