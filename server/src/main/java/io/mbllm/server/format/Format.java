package io.mbllm.server.format;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Json;

/** Reads the {@code format} field of generate/chat (api-contract §3.4.4). */
public final class Format {
    private Format() {}

    /**
     * The grammar asked for: null when absent, {@code null}, {@code ""}; any JSON object for {@code "json"};
     * the schema's grammar for an object.
     *
     * @throws ApiException 400 for any other value
     */
    @SuppressWarnings("unchecked")
    public static JsonGrammar parse(JsonNode format) {
        if (format == null || format.isNull() || format.isMissingNode()) return null;
        if (format.isTextual()) {
            String s = format.asText();
            if (s.isEmpty()) return null;
            if (s.equals("json")) return JsonGrammar.anyObject();
            throw ApiException.badRequest("invalid format: expected \"json\" or a JSON schema");
        }
        if (format.isObject()) {
            Map<String, Object> schema = Json.MAPPER.convertValue(format, Map.class);
            return JsonGrammar.fromSchema(schema);
        }
        throw ApiException.badRequest("invalid format: expected \"json\" or a JSON schema");
    }
}
