package io.mbllm.server.api;

/** One entry of {@code GET /api/ps}. */
public record RunningModel(String name, String model, long size, String digest, ModelDetails details, String expiresAt,
                           long sizeVram, int contextLength) {}
