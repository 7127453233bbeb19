package io.mbllm.server.api;

import java.util.Map;

/**
 * A native tool call: {@code {"id":"call_x","function":{"index":0,"name":"f","arguments":{...}}}}. Arguments are
 * a JSON object, never null ({@code {}} for calls without arguments).
 */
public record ToolCall(String id, Function function) {

    /** The called function. */
    public record Function(Integer index, String name, Map<String, Object> arguments) {
        public Function {
            if (arguments == null) arguments = Map.of();
        }
    }
}
