package io.mbllm.engine.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A function the model may call: name, description and JSON-schema parameters (may be empty). */
public record ToolDefinition(String name, String description, Map<String, Object> parameters) {
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        if (description == null) description = "";
        if (parameters == null) parameters = Map.of();
    }

    /** {@code {type: "function", function: {name, description, parameters}}} as templates expect. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("name", name);
        fn.put("description", description);
        fn.put("parameters", parameters);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "function");
        m.put("function", fn);
        return m;
    }
}
