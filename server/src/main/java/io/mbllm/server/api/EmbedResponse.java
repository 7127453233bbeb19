package io.mbllm.server.api;

import java.util.List;

/** {@code POST /api/embed}: L2-normalized vectors in input order. */
public record EmbedResponse(String model, List<float[]> embeddings, Long totalDuration, Long loadDuration,
                           Integer promptEvalCount) {}
