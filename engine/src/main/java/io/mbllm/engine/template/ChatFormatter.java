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
 * each system message into the next message ({@code system + "\n" + content}). Tool-call arguments are
 * passed as objects, or as a compact JSON string to templates that print them verbatim. The globals
 * {@code enable_thinking=true}, {@code date_string} ("25 Nov 2026") and {@code datetime} ("Nov 25 2026")
 * are provided as llama.cpp's model handlers do; {@code extra} overrides them. Thread-safe.
 */
public final class ChatFormatter {
    /**
     * What probing the template found out: whether a system message shows up in its output, and whether it
     * prints tool-call arguments verbatim (then it expects them as a JSON string, not an object).
     */
    public record Capabilities(boolean supportsSystemRole, boolean wantsStringArguments) {}

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

    private String tryRender(List<ChatMessage> messages) {
        try {
            return template.render(ChatTemplate.globalsFor(messages, List.of(), false, bos, eos, Map.of()), clock);
        } catch (TemplateException e) {
            return "";
        }
    }

    private Capabilities probe() {
        boolean system = tryRender(List.of(ChatMessage.system(SYSTEM_NEEDLE), ChatMessage.user("Hey"))).contains(SYSTEM_NEEDLE);
        Map<String, Object> args = Map.of("argument_needle", "print('Hello, World!')");
        String out = tryRender(List.of(ChatMessage.user("Hey"),
                ChatMessage.toolCalls("", List.of(new ToolCall("call_1___", "ipython", args)))));
        boolean pythonRepr = out.contains("'argument_needle':") && !out.contains("\"argument_needle\"")
                && !out.contains("argument_needle>") && !out.contains("argument_needle=");
        return new Capabilities(system, pythonRepr);
    }

    /** Date variables some templates expect from the chat layer (Llama 3.x, Firefunction). */
    private Map<String, Object> dateContext() {
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(clock);
        return Map.of("date_string", Globals.strftime("%d %b %Y", now), "datetime", Globals.strftime("%b %d %Y", now));
    }

    /**
     * Renders the prompt: polyfills applied to {@code messages}, then the template with {@code messages},
     * {@code tools} (when non-empty), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}
     * and {@code extra} as globals.
     */
    public String format(List<ChatMessage> messages, List<ToolDefinition> tools, boolean addGenerationPrompt,
                         Map<String, Object> extra) throws TemplateException {
        Map<String, Object> globals = new LinkedHashMap<>();
        globals.put("enable_thinking", true);
        globals.putAll(dateContext());
        globals.putAll(ChatTemplate.globalsFor(prepare(messages), tools, addGenerationPrompt, bos, eos, Map.of()));
        if (extra != null) globals.putAll(extra);
        return template.render(globals, clock);
    }

    /**
     * Arguments as the template wants them: a JSON string for templates that print them verbatim, otherwise
     * an object (a JSON string received from the API is parsed when it holds an object).
     */
    private ToolCall adaptArguments(ToolCall call) {
        Object a = call.arguments();
        if (capabilities.wantsStringArguments()) {
            if (a instanceof String) return call;
            try {
                return new ToolCall(call.id(), call.name(), Json.dump(Py.fromJava(a), new Json.Style(null, ",", ":", false, false)));
            } catch (TemplateFailure | IllegalArgumentException e) {
                return call;
            }
        }
        if (a instanceof String s) {
            try {
                Object parsed = Json.parse(s);
                if (parsed instanceof Map) return new ToolCall(call.id(), call.name(), parsed);
            } catch (TemplateFailure e) {
                // not JSON: leave the string as given
            }
        }
        return call;
    }

    /** The messages as the template will see them, after the polyfills. */
    public List<ChatMessage> prepare(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        List<ChatMessage> out = new ArrayList<>(messages.size());
        String pendingSystem = null;
        for (ChatMessage m : messages) {
            if (m.role().equals("developer")) m = m.withRole("system");
            if (!m.toolCalls().isEmpty()) {
                if (m.content() == null) m = m.withContent("");
                m = m.withToolCalls(m.toolCalls().stream().map(this::adaptArguments).toList());
            }
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
