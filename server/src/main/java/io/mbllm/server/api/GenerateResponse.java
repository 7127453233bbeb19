package io.mbllm.server.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One line of a {@code /api/generate} stream, or the whole non-streaming answer. {@code response} is always
 * present ("" on the final line).
 */
public record GenerateResponse(String model, String createdAt, String response, String thinking, boolean done,
                               String doneReason, List<Integer> context, @JsonUnwrapped Metrics metrics) {

    /** A streamed piece. */
    public static GenerateResponse piece(String model, String createdAt, String text) {
        return new GenerateResponse(model, createdAt, text, null, false, null, null, null);
    }
}
