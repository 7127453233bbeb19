package io.mbllm.server.api;

/** Native error body {@code {"error":"..."}}. */
public record ErrorResponse(String error) {}
