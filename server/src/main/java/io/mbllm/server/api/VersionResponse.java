package io.mbllm.server.api;

/** {@code GET /api/version}. */
public record VersionResponse(String version) {}
