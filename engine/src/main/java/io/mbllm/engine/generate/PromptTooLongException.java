package io.mbllm.engine.generate;

import java.io.Serial;

/** The prompt has more tokens than the context holds and truncation was not allowed (or not possible). */
public final class PromptTooLongException extends GenerationException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int promptTokens;
    private final int contextLength;

    public PromptTooLongException(int promptTokens, int contextLength) {
        super("the input length exceeds the context length (" + promptTokens + " tokens, num_ctx " + contextLength + ")");
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
