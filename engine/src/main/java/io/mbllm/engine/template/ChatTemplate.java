package io.mbllm.engine.template;

import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled Jinja chat template (the GGUF {@code tokenizer.chat_template}). Compile once, render per
 * request; instances are immutable and thread-safe.
 *
 * <p>The dialect is Jinja2 as Hugging Face configures it for chat templates: {@code trim_blocks},
 * {@code lstrip_blocks}, loop controls, Python value semantics and string methods, {@code tojson} in
 * Python's {@code json.dumps} style, plus the globals {@code raise_exception} and {@code strftime_now}.
 * This is the bare engine; the chat-layer conventions (system-message merge etc.) are in
 * {@link ChatFormatter}.
 */
public final class ChatTemplate {
    private final String source;
    private final List<Node> body;

    private ChatTemplate(String source, List<Node> body) {
        this.source = source;
        this.body = body;
    }

    /** Parses a template; syntax errors are reported with line and column. */
    public static ChatTemplate compile(String jinjaSource) throws TemplateException {
        if (jinjaSource == null) throw new TemplateException(TemplateException.Kind.SYNTAX, "template source is null", 0, 0);
        try {
            return new ChatTemplate(jinjaSource, Parser.parse(jinjaSource));
        } catch (TemplateFailure f) {
            throw f.toException();
        } catch (StackOverflowError e) {
            throw new TemplateException(TemplateException.Kind.SYNTAX, "template nested too deeply", 0, 0, e);
        }
    }

    public String source() { return source; }

    /** Renders with the given top-level variables and the system clock for {@code strftime_now}. */
    public String render(Map<String, ?> globals) throws TemplateException {
        return render(globals, Clock.systemDefaultZone());
    }

    /**
     * Renders with the given top-level variables (Java maps, lists, strings, numbers, booleans, null; deep
     * copied) and a clock for {@code strftime_now}.
     */
    public String render(Map<String, ?> globals, Clock clock) throws TemplateException {
        Map<String, Object> vars = new HashMap<>();
        if (globals == null) globals = Map.of();
        if (clock == null) clock = Clock.systemDefaultZone();
        try {
            for (Map.Entry<String, ?> e : globals.entrySet()) vars.put(e.getKey(), Py.fromJava(e.getValue()));
        } catch (IllegalArgumentException e) {
            throw new TemplateException(TemplateException.Kind.RUNTIME, e.getMessage(), 0, 0, e);
        }
        try {
            return new Renderer(vars, clock).render(body);
        } catch (TemplateFailure f) {
            throw f.toException();
        } catch (StackOverflowError e) {
            throw new TemplateException(TemplateException.Kind.RUNTIME, "template recursion too deep", 0, 0, e);
        } catch (RuntimeException e) {
            throw new TemplateException(TemplateException.Kind.RUNTIME, "internal error: " + e, 0, 0, e);
        }
    }

    /**
     * Renders a conversation without any chat-layer polyfill: the globals are {@code messages},
     * {@code tools} (only when non-empty), {@code add_generation_prompt}, {@code bos_token},
     * {@code eos_token} and the entries of {@code extra}.
     */
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt,
                         String bos, String eos, Map<String, Object> extra) throws TemplateException {
        return render(globalsFor(messages, tools, addGenerationPrompt, bos, eos, extra), Clock.systemDefaultZone());
    }

    static Map<String, Object> globalsFor(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt,
                                          String bos, String eos, Map<String, Object> extra) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("messages", messages.stream().map(ChatMessage::toTemplateValue).toList());
        if (tools != null && !tools.isEmpty()) g.put("tools", tools.stream().map(ToolDefinition::toTemplateValue).toList());
        g.put("add_generation_prompt", addGenerationPrompt);
        g.put("bos_token", bos == null ? "" : bos);
        g.put("eos_token", eos == null ? "" : eos);
        if (extra != null) g.putAll(extra);
        return g;
    }
}
