package io.mbllm.server.api;

import java.util.Map;

/** A tool definition of a request: {@code {"type":"function","function":{"name","description","parameters"}}}. */
public record Tool(String type, Function function) {

    /** The function a tool offers; {@code parameters} is an opaque JSON schema. */
    public record Function(String name, String description, Map<String, Object> parameters) {}
}
