package io.mbllm.server.api;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Body of {@code POST /api/embed}: {@code input} is a string or an array of strings. */
public record EmbedRequest(String model, String name, JsonNode input, Boolean truncate, Integer dimensions,
                           Map<String, Object> options, JsonNode keepAlive) {

    public String modelName() {
        return model != null && !model.isEmpty() ? model : name;
    }
}
