package io.mbllm.server.api;

/** Body of {@code POST /api/copy}. */
public record CopyRequest(String source, String destination) {}
