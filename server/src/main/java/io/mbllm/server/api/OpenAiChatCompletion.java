package io.mbllm.server.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code chat.completion} and {@code chat.completion.chunk} objects (api-contract §4.1). In chunks
 * {@code finish_reason} is written as null until the finish chunk.
 */
public record OpenAiChatCompletion(String id, String object, long created, String model, String systemFingerprint,
                                   List<Choice> choices, OpenAiUsage usage) {

    /** One choice: {@code message} (complete) or {@code delta} (chunk). */
    public record Choice(int index, ChatMessage message, ChatMessage delta,
                         @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {}

    /** Assistant message or delta; empty delta serializes as {@code {}}. */
    public record ChatMessage(String role, String content, String reasoning, List<OpenAiToolCall> toolCalls) {
        public static final ChatMessage EMPTY = new ChatMessage(null, null, null, null);
    }
}
