package io.mbllm.server.api;

import java.util.List;
import java.util.Map;

/** {@code POST /api/show}; {@code model_info} is always an object. */
public record ShowResponse(String license, String modelfile, String parameters, String template, String system,
                           ModelDetails details, List<Message> messages, Map<String, Object> modelInfo,
                           List<String> capabilities, String modifiedAt, List<TensorInfo> tensors) {

    /** One tensor: name, ggml type name, shape (innermost first). */
    public record TensorInfo(String name, String type, long[] shape) {}
}
