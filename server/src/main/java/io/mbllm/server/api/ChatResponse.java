package io.mbllm.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** One line of a {@code /api/chat} stream, or the whole answer; every line carries a {@code message}. */
public record ChatResponse(String model, String createdAt, Message message, boolean done, String doneReason,
                           @JsonUnwrapped Metrics metrics) {

    /** A streamed piece. */
    public static ChatResponse piece(String model, String createdAt, Message message) {
        return new ChatResponse(model, createdAt, message, false, null, null);
    }
}
