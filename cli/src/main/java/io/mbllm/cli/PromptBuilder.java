package io.mbllm.cli;

import java.util.List;
import java.util.Map;

import io.mbllm.engine.template.ChatFormatter;
import io.mbllm.engine.template.ChatMessage;
import io.mbllm.engine.template.TemplateException;

/**
 * Turns what the user typed into prompt tokens for a {@link LocalModel}: the raw text, or the conversation
 * rendered with the file's chat template (llama.cpp's Jinja chat path via {@link ChatFormatter}). A file without
 * a template gets the plain text (the conversation's contents joined), as Ollama's default {@code {{ .Prompt }}}.
 */
final class PromptBuilder {
    private final LocalModel model;
    private final ChatFormatter formatter; // null: raw

    /** Raw when {@code raw} is set or the file has no chat template. */
    PromptBuilder(LocalModel model, boolean raw) throws TemplateException {
        this.model = model;
        String source = raw ? null : model.chatTemplate().filter(s -> !s.isBlank()).orElse(null);
        this.formatter = source == null ? null : ChatFormatter.create(source, model.bosText(), model.eosText());
    }

    /** Whether a chat template is applied. */
    boolean templated() {
        return formatter != null;
    }

    /** Tokens for one raw prompt text (BOS added as the vocabulary asks). */
    int[] raw(String text) {
        return model.encode(text, true, true);
    }

    /** Tokens for a conversation, ending with the prompt for the assistant's next turn. */
    int[] chat(List<ChatMessage> messages) throws TemplateException {
        if (formatter == null) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) sb.append(m.content() == null ? "" : m.content());
            return raw(sb.toString());
        }
        String text = formatter.format(messages, List.of(), true, Map.of());
        // the template writes BOS itself; the tokenizer adds one too: keep only the tokenizer's
        String bos = model.bosText();
        if (model.addsBos() && !bos.isEmpty() && text.startsWith(bos)) text = text.substring(bos.length());
        return model.encode(text, true, true);
    }
}
