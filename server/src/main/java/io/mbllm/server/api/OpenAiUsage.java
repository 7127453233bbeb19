package io.mbllm.server.api;

/** OpenAI {@code usage}. */
public record OpenAiUsage(int promptTokens, int completionTokens, int totalTokens) {
    public static OpenAiUsage of(int prompt, int completion) {
        return new OpenAiUsage(prompt, completion, prompt + completion);
    }
}
