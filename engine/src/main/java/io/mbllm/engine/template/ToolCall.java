package io.mbllm.engine.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A function call made by the assistant. {@code arguments} is either a JSON object (Map) or a JSON string,
 * as received from the API; {@code id} may be null.
 */
public record ToolCall(String id, String name, Object arguments) {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        if (arguments == null) arguments = Map.of();
    }

    /** The OpenAI-style object templates expect: {@code {id, type: "function", function: {name, arguments}}}. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("name", name);
        fn.put("arguments", arguments);
        Map<String, Object> m = new LinkedHashMap<>();
        if (id != null) m.put("id", id);
        m.put("type", "function");
        m.put("function", fn);
        return m;
    }
}
