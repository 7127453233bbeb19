package io.mbllm.server.api;

import java.util.List;

/** {@code GET /api/tags}: {@code models} is never null. */
public record ListResponse(List<ListedModel> models) {}
