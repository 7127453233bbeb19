package io.mbllm.server.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /api/chat} (api-contract §3.4). {@code lora} (mbllm extension) chooses adapter scales for
 * this request ({@link io.mbllm.server.infer.LoraScales}).
 */
public record ChatRequest(String model, String name, List<Message> messages, List<Tool> tools, JsonNode format,
                          Map<String, Object> options, JsonNode keepAlive, Boolean stream, JsonNode think,
                          Boolean truncate, Boolean shift, Boolean logprobs, Integer topLogprobs,
                          @JsonProperty("_debug_render_only") Boolean debugRenderOnly, JsonNode lora) {

    /** {@code model}, else the legacy {@code name}. */
    public String modelName() {
        return model != null && !model.isEmpty() ? model : name;
    }
}
