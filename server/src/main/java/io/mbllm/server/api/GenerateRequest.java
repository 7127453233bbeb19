package io.mbllm.server.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /api/generate} (api-contract §3.3). Fields of several JSON types ({@code format},
 * {@code keep_alive}, {@code think}) stay as {@link JsonNode} and are read by the handler. {@code lora}
 * (mbllm extension) chooses adapter scales for this request ({@link io.mbllm.server.infer.LoraScales}).
 */
public record GenerateRequest(String model, String name, String prompt, String suffix, String system, String template,
                              List<Integer> context, Boolean raw, JsonNode format, List<String> images,
                              Map<String, Object> options, JsonNode keepAlive, Boolean stream, JsonNode think,
                              Boolean truncate, Boolean shift, Boolean logprobs, Integer topLogprobs,
                              @JsonProperty("_debug_render_only") Boolean debugRenderOnly, JsonNode lora) {

    /** {@code model}, else the legacy {@code name}. */
    public String modelName() {
        return model != null && !model.isEmpty() ? model : name;
    }
}
