package io.mbllm.server.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code text_completion} objects and chunks (api-contract §4.2). */
public record OpenAiCompletion(String id, String object, long created, String model, String systemFingerprint,
                               List<Choice> choices, OpenAiUsage usage) {

    /** One choice. */
    public record Choice(String text, int index, @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}
}
