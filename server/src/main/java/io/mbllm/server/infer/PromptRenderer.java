package io.mbllm.server.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mbllm.engine.generate.PromptTooLongException;
import io.mbllm.engine.template.ChatFormatter;
import io.mbllm.engine.template.TemplateException;
import io.mbllm.engine.template.ToolDefinition;
import io.mbllm.engine.template.go.ChatMessage;
import io.mbllm.engine.template.go.GoTemplateException;
import io.mbllm.engine.template.go.PromptTemplate;
import io.mbllm.engine.template.go.ThinkOption;
import io.mbllm.engine.template.go.ToolCall;
import io.mbllm.engine.template.go.ToolSpec;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Message;
import io.mbllm.server.api.Tool;
import io.mbllm.server.sched.LoadedModel;

/**
 * Builds prompt tokens (api-contract §3.3, §3.4). Template choice: the request's {@code template} override, else
 * the model's Modelfile TEMPLATE (both Go templates, via {@link PromptTemplate}), else the GGUF's Jinja chat
 * template ({@link ChatFormatter}), else Ollama's default {@code {{ .Prompt }}}. Chat prompts that exceed the
 * context drop their oldest non-system messages (never the last) when truncation is allowed.
 */
public final class PromptRenderer {
    private PromptRenderer() {}

    /** The rendered prompt text and its tokens. */
    public record Rendered(String text, int[] tokens) {}

    private sealed interface Template permits GoT, JinjaT {}

    private record GoT(PromptTemplate template) implements Template {}

    private record JinjaT(ChatFormatter formatter) implements Template {}

    private static Template choose(LoadedModel lm, String override) {
        String go = override != null && !override.isEmpty() ? override : lm.resolved().template();
        if (go == null && lm.chatFormatter() != null) return new JinjaT(lm.chatFormatter());
        try {
            return new GoT(go == null ? PromptTemplate.defaultTemplate() : PromptTemplate.parse(go));
        } catch (GoTemplateException e) {
            throw ApiException.badRequest("template error: " + e.getMessage());
        }
    }

    /** Parses a template override, for validation before any work (400 {@code template error: ...}). */
    public static void checkTemplate(String template) {
        if (template == null || template.isEmpty()) return;
        try {
            PromptTemplate.parse(template);
        } catch (GoTemplateException e) {
            throw ApiException.badRequest("template error: " + e.getMessage());
        }
    }

    /** The prompt of a completion request. */
    public static Rendered generate(LoadedModel lm, GenerateJob job) {
        Tokenizer tok = lm.tokenizer();
        if (job.raw()) return new Rendered(job.prompt(), tok.encode(job.prompt(), true, true));
        boolean withContext = job.context() != null && !job.context().isEmpty();
        String system = job.system() != null ? job.system() : lm.resolved().system();
        Template t = choose(lm, job.template());
        String text;
        try {
            if (job.suffix() != null && !job.suffix().isEmpty() && t instanceof GoT g) {
                text = g.template().renderInsert(job.prompt(), job.suffix(), job.think());
            } else {
                List<Message> history = withContext ? List.of() : lm.resolved().messages();
                List<Message> msgs = new ArrayList<>(history);
                msgs.add(new Message("user", job.prompt(), null, null, null, null, null));
                text = render(lm, t, system, msgs, List.of(), job.think());
            }
        } catch (GoTemplateException | TemplateException | IllegalArgumentException e) {
            throw ApiException.badRequest("template error: " + e.getMessage());
        }
        int[] prompt = tok.encode(stripBos(lm, t, text), !withContext, true);
        if (!withContext) return new Rendered(text, prompt);
        int vocab = tok.vocabSize();
        int[] all = new int[job.context().size() + prompt.length];
        for (int i = 0; i < job.context().size(); i++) {
            Integer id = job.context().get(i);
            if (id == null || id < 0 || id >= vocab) throw ApiException.badRequest("invalid context: token id " + id + " out of range");
            all[i] = id;
        }
        System.arraycopy(prompt, 0, all, job.context().size(), prompt.length);
        return new Rendered(text, all);
    }

    /**
     * The prompt of a chat; when it exceeds {@code numCtx} tokens the oldest non-system messages are dropped
     * (the last one always stays) if {@code job.truncate()}.
     *
     * @throws PromptTooLongException when it does not fit and may not be truncated
     */
    public static Rendered chat(LoadedModel lm, ChatJob job, int numCtx) throws PromptTooLongException {
        Template t = choose(lm, null);
        List<Message> msgs = new ArrayList<>(lm.resolved().messages());
        msgs.addAll(job.messages());
        while (true) {
            String text;
            try {
                text = render(lm, t, lm.resolved().system(), msgs, job.tools(), job.think());
            } catch (GoTemplateException | TemplateException | IllegalArgumentException e) {
                throw ApiException.badRequest("template error: " + e.getMessage());
            }
            int[] tokens = lm.tokenizer().encode(stripBos(lm, t, text), true, true);
            if (tokens.length <= numCtx) return new Rendered(text, tokens);
            if (!job.truncate()) throw new PromptTooLongException(tokens.length, numCtx);
            int drop = -1;
            for (int i = 0; i < msgs.size() - 1; i++) {
                if (!"system".equalsIgnoreCase(msgs.get(i).role())) {
                    drop = i;
                    break;
                }
            }
            if (drop < 0) return new Rendered(text, tokens); // only the last message left: the generator cuts it
            msgs.remove(drop);
        }
    }

    private static String render(LoadedModel lm, Template t, String system, List<Message> msgs, List<Tool> tools,
                                 ThinkOption think) throws GoTemplateException, TemplateException {
        return switch (t) {
            case GoT g -> g.template().render(system, goMessages(msgs), toolSpecs(tools), think);
            case JinjaT j -> {
                List<io.mbllm.engine.template.ChatMessage> jm = new ArrayList<>();
                boolean hasSystem = !msgs.isEmpty() && "system".equalsIgnoreCase(msgs.getFirst().role());
                if (system != null && !system.isEmpty() && !hasSystem) jm.add(io.mbllm.engine.template.ChatMessage.system(system));
                for (Message m : msgs) jm.add(jinjaMessage(m));
                yield j.formatter().format(jm, toolDefinitions(tools), true, Map.of());
            }
        };
    }

    /** A Jinja template writes BOS itself; the tokenizer adds one too: keep only the tokenizer's. */
    private static String stripBos(LoadedModel lm, Template t, String text) {
        if (!(t instanceof JinjaT)) return text;
        Tokenizer tok = lm.tokenizer();
        if (tok.bos() < 0 || !tok.vocabulary().flags().addBos()) return text;
        String bos = tok.vocabulary().tokenText(tok.bos());
        return !bos.isEmpty() && text.startsWith(bos) ? text.substring(bos.length()) : text;
    }

    static List<ChatMessage> goMessages(List<Message> msgs) {
        List<ChatMessage> out = new ArrayList<>(msgs.size());
        for (Message m : msgs) {
            List<ToolCall> calls = new ArrayList<>();
            if (m.toolCalls() != null) {
                int i = 0;
                for (io.mbllm.server.api.ToolCall c : m.toolCalls()) {
                    if (c == null || c.function() == null || c.function().name() == null) continue;
                    int index = c.function().index() != null ? c.function().index() : i;
                    calls.add(new ToolCall(c.id(), index, c.function().name(), c.function().arguments()));
                    i++;
                }
            }
            out.add(new ChatMessage(m.role(), m.content(), m.thinking(), calls, m.toolName()));
        }
        return out;
    }

    private static io.mbllm.engine.template.ChatMessage jinjaMessage(Message m) {
        List<io.mbllm.engine.template.ToolCall> calls = new ArrayList<>();
        if (m.toolCalls() != null) {
            for (io.mbllm.server.api.ToolCall c : m.toolCalls()) {
                if (c == null || c.function() == null || c.function().name() == null) continue;
                calls.add(new io.mbllm.engine.template.ToolCall(c.id(), c.function().name(), c.function().arguments()));
            }
        }
        String role = m.role().toLowerCase(java.util.Locale.ROOT);
        return new io.mbllm.engine.template.ChatMessage(role, m.content() == null ? "" : m.content(), calls,
                m.toolCallId(), m.toolName(), m.thinking());
    }

    private static List<ToolSpec> toolSpecs(List<Tool> tools) {
        List<ToolSpec> out = new ArrayList<>();
        for (Tool t : tools) {
            if (t.function() == null || t.function().name() == null) continue;
            out.add(new ToolSpec(t.type(), t.function().name(), t.function().description(), t.function().parameters()));
        }
        return out;
    }

    private static List<ToolDefinition> toolDefinitions(List<Tool> tools) {
        List<ToolDefinition> out = new ArrayList<>();
        for (Tool t : tools) {
            if (t.function() == null || t.function().name() == null) continue;
            out.add(new ToolDefinition(t.function().name(), t.function().description(), t.function().parameters()));
        }
        return out;
    }
}
