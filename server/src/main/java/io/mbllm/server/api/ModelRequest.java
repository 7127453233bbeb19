package io.mbllm.server.api;

import java.util.Map;

/** Body naming one model: show, delete, pull, push ({@code model} or legacy {@code name}). */
public record ModelRequest(String model, String name, Boolean verbose, String system, Map<String, Object> options,
                           Boolean stream) {

    public String modelName() {
        return model != null && !model.isEmpty() ? model : name;
    }
}
