package io.mbllm.server.api;

import java.util.List;

/** One entry of {@code GET /api/tags}. */
public record ListedModel(String name, String model, String modifiedAt, long size, String digest, ModelDetails details,
                          List<String> capabilities) {}
