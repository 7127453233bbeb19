package io.mbllm.engine.template.go;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tool offered to the model (an entry of the request's {@code tools}): a function with a name, a
 * description and JSON-schema parameters, given as maps ({@code {"type":"object","properties":{...},
 * "required":[...]}}). Templates see it as {@code .Function.Name}, {@code .Function.Description},
 * {@code .Function.Parameters.Properties} and so on, mirroring Ollama's api.Tool.
 *
 * @param type tool type, {@code "function"} by default
 * @param name function name
 * @param description function description ("" when none)
 * @param parameters JSON schema of the arguments (may be empty)
 */
public record ToolSpec(String type, String name, String description, Map<String, Object> parameters) {
    /** Normalises nulls and copies the schema map. */
    public ToolSpec {
        type = type == null ? "function" : type;
        name = Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A {@code "function"} tool. */
    public ToolSpec(String name, String description, Map<String, Object> parameters) {
        this("function", name, description, parameters);
    }
}
