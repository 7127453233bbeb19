package io.mbllm.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI error envelope {@code {"error":{"message","type","param":null,"code":null}}} (api-contract §4). */
public record OpenAiError(Body error) {

    /** The inner error object; {@code param} and {@code code} are always written, as null. */
    public record Body(String message, String type, @JsonInclude(JsonInclude.Include.ALWAYS) String param,
                       @JsonInclude(JsonInclude.Include.ALWAYS) String code) {}

    /** The envelope for an HTTP status: 400 invalid_request_error, 404 not_found_error, else api_error. */
    public static OpenAiError of(int status, String message) {
        String type = switch (status) {
            case 400 -> "invalid_request_error";
            case 404 -> "not_found_error";
            default -> "api_error";
        };
        return new OpenAiError(new Body(message, type, null, null));
    }
}
