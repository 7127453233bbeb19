package io.mbllm.engine.template;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation. {@code content} may be null (e.g. an assistant message that only calls
 * tools); {@code toolCalls} is empty when there are none; {@code toolCallId} and {@code name} identify the
 * call a {@code tool} message answers; {@code reasoningContent} is the model's thinking text, if kept.
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name,
                          String reasoningContent) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A plain message with a role and text. */
    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, List.of(), null, null, null);
    }

    public static ChatMessage system(String content) { return of("system", content); }

    public static ChatMessage user(String content) { return of("user", content); }

    public static ChatMessage assistant(String content) { return of("assistant", content); }

    /** An assistant message that calls tools (content may be null). */
    public static ChatMessage toolCalls(String content, List<ToolCall> calls) {
        return new ChatMessage("assistant", content, calls, null, null, null);
    }

    /** The result of a tool call. */
    public static ChatMessage toolResult(String toolCallId, String name, String content) {
        return new ChatMessage("tool", content, List.of(), toolCallId, name, null);
    }

    public ChatMessage withRole(String newRole) {
        return new ChatMessage(newRole, content, toolCalls, toolCallId, name, reasoningContent);
    }

    public ChatMessage withContent(String newContent) {
        return new ChatMessage(role, newContent, toolCalls, toolCallId, name, reasoningContent);
    }

    public ChatMessage withToolCalls(List<ToolCall> calls) {
        return new ChatMessage(role, content, calls, toolCallId, name, reasoningContent);
    }

    /** The dict templates see; absent fields are left out so that {@code is defined} tests work. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        if (content != null) m.put("content", content);
        if (!toolCalls.isEmpty()) m.put("tool_calls", toolCalls.stream().map(ToolCall::toTemplateValue).toList());
        if (toolCallId != null) m.put("tool_call_id", toolCallId);
        if (name != null) m.put("name", name);
        if (reasoningContent != null) m.put("reasoning_content", reasoningContent);
        return m;
    }
}
