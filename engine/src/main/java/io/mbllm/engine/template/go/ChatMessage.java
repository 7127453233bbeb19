package io.mbllm.engine.template.go;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One chat message as passed to a prompt template. Roles are lower-cased (Ollama does so when decoding
 * requests); null strings become "".
 *
 * @param role system, user, assistant or tool
 * @param content message text
 * @param thinking reasoning text of an assistant message ("" when none)
 * @param toolCalls tool calls of an assistant message
 * @param toolName for a tool message, the name of the tool whose result this is
 */
public record ChatMessage(String role, String content, String thinking, List<ToolCall> toolCalls, String toolName) {
    /** Normalises nulls and the role's case. */
    public ChatMessage {
        role = Objects.requireNonNull(role, "role").toLowerCase(Locale.ROOT);
        content = content == null ? "" : content;
        thinking = thinking == null ? "" : thinking;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        toolName = toolName == null ? "" : toolName;
    }

    /** A message with only role and content. */
    public ChatMessage(String role, String content) {
        this(role, content, "", List.of(), "");
    }

    /** A system message. */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /** A user message. */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /** An assistant message. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** An assistant message that calls tools. */
    public static ChatMessage assistantToolCalls(String content, List<ToolCall> calls) {
        return new ChatMessage("assistant", content, "", calls, "");
    }

    /** A tool result message. */
    public static ChatMessage tool(String toolName, String content) {
        return new ChatMessage("tool", content, "", List.of(), toolName);
    }
}
