package io.mbllm.engine.template;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The chat layer in front of a {@link ChatTemplate}, equivalent to llama.cpp's Jinja chat path: maps the
 * {@code developer} role to {@code system}, gives tool-call messages without text an empty {@code content},
 * and, when the template ignores system messages (found by probing it once, as llama.cpp does), merges
 * each system message into the next message ({@code system + "\n" + content}). Thread-safe.
 */
public final class ChatFormatter {
    /** What probing the template found out. */
    public record Capabilities(boolean supportsSystemRole) {}

    private static final String SYSTEM_NEEDLE = "<System Needle>";

    private final ChatTemplate template;
    private final String bos;
    private final String eos;
    private final Clock clock;
    private final Capabilities capabilities;

    /** A formatter for a compiled template, with the tokenizer's BOS/EOS texts and a clock for dates. */
    public ChatFormatter(ChatTemplate template, String bos, String eos, Clock clock) {
        this.template = Objects.requireNonNull(template, "template");
        this.bos = bos == null ? "" : bos;
        this.eos = eos == null ? "" : eos;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capabilities = probe();
    }

    /** Compiles {@code jinjaSource} and wraps it, using the system clock. */
    public static ChatFormatter create(String jinjaSource, String bos, String eos) throws TemplateException {
        return new ChatFormatter(ChatTemplate.compile(jinjaSource), bos, eos, Clock.systemDefaultZone());
    }

    public Capabilities capabilities() { return capabilities; }

    public ChatTemplate template() { return template; }

    private Capabilities probe() {
        List<ChatMessage> probe = List.of(ChatMessage.system(SYSTEM_NEEDLE), ChatMessage.user("Hey"));
        boolean system;
        try {
            system = template.render(ChatTemplate.globalsFor(probe, List.of(), false, bos, eos, Map.of()), clock).contains(SYSTEM_NEEDLE);
        } catch (TemplateException e) {
            system = false;
        }
        return new Capabilities(system);
    }

    /**
     * Renders the prompt: polyfills applied to {@code messages}, then the template with {@code messages},
     * {@code tools} (when non-empty), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}
     * and {@code extra} as globals.
     */
    public String format(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt,
                         Map<String, Object> extra) throws TemplateException {
        Map<String, Object> globals = new LinkedHashMap<>();
        if (extra != null) globals.putAll(extra);
        globals.putAll(ChatTemplate.globalsFor(prepare(messages), tools, addGenerationPrompt, bos, eos, Map.of()));
        if (extra != null) globals.putAll(extra);
        return template.render(globals, clock);
    }

    /** The messages as the template will see them, after the polyfills. */
    public List<ChatMessage> prepare(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        String pendingSystem = null;
        for (ChatMessage m : messages) {
            if (m.role().equals("developer")) m = m.withRole("system");
            if (!m.toolCalls().isEmpty() && m.content() == null) m = m.withContent("");
            if (!capabilities.supportsSystemRole() && m.role().equals("system")) {
                String text = m.content() == null ? "" : m.content();
                pendingSystem = pendingSystem == null ? text : pendingSystem + "\n" + text;
                continue;
            }
            if (pendingSystem != null) {
                String content = m.content() == null ? "" : m.content();
                m = m.withContent(pendingSystem + "\n" + content);
                pendingSystem = null;
            }
            out.add(m);
        }
        return out;
    }
}
