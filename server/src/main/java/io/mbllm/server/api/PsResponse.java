package io.mbllm.server.api;

import java.util.List;

/** {@code GET /api/ps}: {@code models} is never null. */
public record PsResponse(List<RunningModel> models) {}
