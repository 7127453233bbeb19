package io.mbllm.server.api;

/** Legacy {@code POST /api/embeddings}: one vector, not normalized. */
public record EmbeddingResponse(double[] embedding) {}
