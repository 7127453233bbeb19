package io.mbllm.server.api;

/** An OpenAI tool call; {@code arguments} is a JSON string ("{}" when empty). */
public record OpenAiToolCall(String id, int index, String type, Function function) {

    /** Name and JSON-string arguments. */
    public record Function(String name, String arguments) {}
}
