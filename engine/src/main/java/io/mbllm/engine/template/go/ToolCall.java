package io.mbllm.engine.template.go;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tool call made by the assistant: function name and JSON arguments (nested maps, lists, strings,
 * numbers, booleans, null). Templates see it as {@code .Function.Name}, {@code .Function.Arguments}
 * (prints as JSON), {@code .Function.Index} and {@code .ID}.
 *
 * @param id call id, "" when none
 * @param index position of the call in the assistant turn
 * @param name function name
 * @param arguments argument object, insertion order kept
 */
public record ToolCall(String id, int index, String name, Map<String, Object> arguments) {
    /** Normalises nulls to empty values and copies the arguments. */
    public ToolCall {
        id = id == null ? "" : id;
        name = Objects.requireNonNull(name, "name");
        arguments = arguments == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    /** A call without id or index. */
    public ToolCall(String name, Map<String, Object> arguments) {
        this("", 0, name, arguments);
    }
}
