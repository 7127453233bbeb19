package io.mbllm.server.tools;

import java.util.Map;

/** A tool call found in the model's output: function name and arguments object (never null). */
public record ParsedToolCall(String name, Map<String, Object> arguments) {
    public ParsedToolCall {
        if (arguments == null) arguments = Map.of();
    }
}
