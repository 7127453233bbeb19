package io.mbllm.server.api;

import java.util.List;

/** {@code /v1/embeddings} response; {@code embedding} is a float array or a base64 string. */
public record OpenAiEmbeddings(String object, List<Item> data, String model, Usage usage) {

    /** One embedding. */
    public record Item(String object, Object embedding, int index) {}

    /** Token usage. */
    public record Usage(int promptTokens, int totalTokens) {}
}
