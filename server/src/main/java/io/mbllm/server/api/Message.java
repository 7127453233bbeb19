package io.mbllm.server.api;

import java.util.List;

/**
 * A native chat message. {@code content} may be absent (treated as ""), {@code tool_calls} appear on assistant
 * messages, {@code tool_name}/{@code tool_call_id} on tool results.
 */
public record Message(String role, String content, List<String> images, String thinking, List<ToolCall> toolCalls,
                      String toolName, String toolCallId) {

    /** An assistant message with text and optional tool calls. */
    public static Message assistant(String content, List<ToolCall> calls) {
        return new Message("assistant", content, null, null, calls == null || calls.isEmpty() ? null : calls, null, null);
    }
}
