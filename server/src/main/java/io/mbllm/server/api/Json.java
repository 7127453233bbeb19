package io.mbllm.server.api;

import java.io.IOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The server's one JSON configuration: snake_case property names for records, unknown fields ignored, null
 * fields left out, compact output (one line, as NDJSON and SSE need).
 */
public final class Json {
    private Json() {}

    /** The shared, thread-safe mapper. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    /**
     * Parses a request body.
     *
     * @throws ApiException 400 {@code missing request body} when empty, 400 with the parser's message when malformed
     */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0 || isBlank(body)) throw ApiException.badRequest("missing request body");
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) throw ApiException.badRequest("missing request body");
            return n;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Binds a parsed body to a request record; a type mismatch is a 400 naming the field. */
    public static <T> T bind(JsonNode node, Class<T> type) {
        if (!node.isObject()) throw ApiException.badRequest("request body must be a JSON object");
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            String where = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    ? " (field \"" + m.getPath().getLast().getFieldName() + "\")" : "";
            throw ApiException.badRequest(e.getOriginalMessage() + where);
        }
    }

    /** Compact JSON of a value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** Compact JSON bytes of a value. */
    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) if (x != ' ' && x != '\n' && x != '\r' && x != '\t') return false;
        return true;
    }
}
