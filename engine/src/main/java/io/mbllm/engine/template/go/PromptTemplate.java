package io.mbllm.engine.template.go;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An Ollama prompt template (Modelfile {@code TEMPLATE}, Go text/template syntax) and the rules Ollama
 * uses to turn a chat into a prompt with it (template/template.go):
 * <ul>
 *   <li><b>messages mode</b> when the template references {@code Messages} (any case, as a field or
 *       {@code $.Messages}): executed once with System (all system messages joined by a blank line),
 *       Messages (consecutive same-role messages merged with a blank line, except tool messages), Tools,
 *       Response "", Think, ThinkLevel, IsThinkSet;</li>
 *   <li><b>legacy mode</b> otherwise: executed once per system/user/assistant turn with System, Prompt,
 *       Response and concatenated; the last turn is cut after the first {@code .Response} so the prompt ends
 *       where the answer starts. A template referencing neither Messages nor Response gets
 *       {@code {{ .Response }}} appended at parse time;</li>
 *   <li><b>fill-in-middle</b> ({@link #renderInsert}) with Prompt and Suffix only.</li>
 * </ul>
 * Extra functions: {@code json} (Go encoding/json, "" on failure), {@code currentDate} and
 * {@code yesterdayDate} ({@code YYYY-MM-DD}, format argument ignored), {@code toTypeScriptType}.
 *
 * <p>Deviation, documented: in legacy mode Ollama's final turn runs a bare copy of the tree without the
 * extra functions and defined templates (so {@code json} fails there); here the final turn keeps them.
 */
public final class PromptTemplate {
    /** Ollama's default template. */
    public static final String DEFAULT_TEMPLATE = "{{ .Prompt }}";

    private final GoTemplate template;
    private final Set<String> vars;
    private final Set<Capability> capabilities;
    private final TemplateAnalysis.ThinkingTags thinkingTags;

    private PromptTemplate(GoTemplate template, Set<String> vars) {
        this.template = template;
        this.vars = Collections.unmodifiableSet(vars);
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        if (vars.contains("tools")) {
            caps.add(Capability.TOOLS);
        }
        if (vars.contains("suffix")) {
            caps.add(Capability.INSERT);
        }
        this.thinkingTags = TemplateAnalysis.thinkingTags(template);
        if (!thinkingTags.opening().isEmpty() && !thinkingTags.closing().isEmpty()) {
            caps.add(Capability.THINKING);
        }
        this.capabilities = Collections.unmodifiableSet(caps);
    }

    /** Parses a template, with {@code currentDate}/{@code yesterdayDate} on the system clock. */
    public static PromptTemplate parse(String text) throws GoTemplateException {
        return parse(text, Clock.systemDefaultZone());
    }

    /** The default template {@code {{ .Prompt }}}. */
    public static PromptTemplate defaultTemplate() {
        try {
            return parse(DEFAULT_TEMPLATE);
        } catch (GoTemplateException e) {
            throw new AssertionError(e);
        }
    }

    /** Parses a template; the date functions read {@code clock}. */
    public static PromptTemplate parse(String text, Clock clock) throws GoTemplateException {
        Objects.requireNonNull(clock, "clock");
        GoTemplate t = GoTemplate.parse("", text, functions(clock));
        Set<String> vars = TemplateAnalysis.vars(t);
        if (!vars.contains("messages") && !vars.contains("response")) {
            List<Node> root = new ArrayList<>(t.root());
            Node.FieldArg response = new Node.FieldArg(text.length(), List.of("Response"));
            root.add(new Node.Action(text.length(), ".Response", new Node.Pipeline(text.length(), false, List.of(),
                    List.of(new Node.Command(text.length(), List.of(response))))));
            t = t.withRoot(root);
        }
        return new PromptTemplate(t, vars);
    }

    private static Map<String, GoFunction> functions(Clock clock) {
        Map<String, GoFunction> f = new LinkedHashMap<>();
        f.put("json", args -> {
            Builtins.arity("json", args, 1, false);
            return TemplateValues.jsonOrEmpty(args.getFirst());
        });
        f.put("currentDate", args -> LocalDate.now(clock).toString());
        f.put("yesterdayDate", args -> LocalDate.now(clock).minusDays(1).toString());
        f.put("toTypeScriptType", args -> {
            Builtins.arity("toTypeScriptType", args, 1, false);
            return args.getFirst() instanceof TemplateValues.Property p ? p.toTypeScriptType() : "any";
        });
        return Map.copyOf(f);
    }

    /** The template text, verbatim. */
    public String source() {
        return template.source();
    }

    /** Lower-cased identifiers the template references (Ollama's Vars). */
    public Set<String> vars() {
        return vars;
    }

    /** Whether rendering uses messages mode. */
    public boolean usesMessages() {
        return vars.contains("messages");
    }

    /** Capabilities derived from the template: tools, insert, thinking. */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** The inferred thinking opening tag ("" when none). */
    public String thinkingOpeningTag() {
        return thinkingTags.opening();
    }

    /** The inferred thinking closing tag ("" when none). */
    public String thinkingClosingTag() {
        return thinkingTags.closing();
    }

    /**
     * Renders a chat. When {@code systemPrompt} is non-empty and the conversation does not start with a
     * system message, it is put first (as Ollama does with the model's SYSTEM).
     *
     * @throws GoTemplateException on template execution errors
     * @throws IllegalArgumentException when a tool's parameter schema has the wrong shape
     */
    public String render(String systemPrompt, List<ChatMessage> messages, List<ToolSpec> tools, ThinkOption think)
            throws GoTemplateException {
        List<ChatMessage> msgs = new ArrayList<>(messages);
        if (systemPrompt != null && !systemPrompt.isEmpty()
                && (msgs.isEmpty() || !msgs.getFirst().role().equals("system"))) {
            msgs.addFirst(ChatMessage.system(systemPrompt));
        }
        return render(msgs, tools, think);
    }

    /** Renders a chat without thinking options or system prompt. */
    public String render(List<ChatMessage> messages, List<ToolSpec> tools) throws GoTemplateException {
        return render(messages, tools, ThinkOption.UNSET);
    }

    /** Renders a chat as the server does for {@code /api/chat}. */
    public String render(List<ChatMessage> messages, List<ToolSpec> tools, ThinkOption think)
            throws GoTemplateException {
        Objects.requireNonNull(messages, "messages");
        ThinkOption th = think == null ? ThinkOption.UNSET : think;
        List<ChatMessage> collated = collate(messages);
        if (usesMessages()) {
            List<String> system = new ArrayList<>();
            for (ChatMessage m : messages) {
                if (m.role().equals("system")) {
                    system.add(m.content());
                }
            }
            List<TemplateValues.Message> views = new ArrayList<>();
            for (ChatMessage m : collated) {
                views.add(TemplateValues.Message.of(m));
            }
            List<TemplateValues.Tool> toolViews = new ArrayList<>();
            for (ToolSpec t : tools == null ? List.<ToolSpec>of() : tools) {
                toolViews.add(TemplateValues.Tool.of(t));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("System", String.join("\n\n", system));
            data.put("Messages", Collections.unmodifiableList(views));
            data.put("Tools", new TemplateValues.Tools(toolViews));
            data.put("Response", "");
            putThink(data, th);
            return template.execute(data);
        }
        return renderLegacy(collated, th);
    }

    private String renderLegacy(List<ChatMessage> collated, ThinkOption th) throws GoTemplateException {
        StringBuilder out = new StringBuilder();
        String system = "";
        String prompt = "";
        String response = "";
        for (ChatMessage m : collated) {
            switch (m.role()) {
                case "system" -> {
                    if (!prompt.isEmpty() || !response.isEmpty()) {
                        template.execute(legacyData(system, prompt, response, th), out);
                        prompt = "";
                        response = "";
                    }
                    system = m.content();
                }
                case "user" -> {
                    if (!response.isEmpty()) {
                        template.execute(legacyData(system, prompt, response, th), out);
                        system = "";
                        response = "";
                    }
                    prompt = m.content();
                }
                case "assistant" -> response = m.content();
                default -> {
                    // tool and other roles take no part in legacy templates
                }
            }
        }
        GoTemplate last = template.withRoot(TemplateAnalysis.cutAfterResponse(template.root()));
        last.execute(legacyData(system, prompt, response, th), out);
        return out.toString();
    }

    private static Map<String, Object> legacyData(String system, String prompt, String response, ThinkOption th) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("System", system);
        data.put("Prompt", prompt);
        data.put("Response", response);
        putThink(data, th);
        return data;
    }

    /** Fill-in-middle rendering: executed with Prompt and Suffix only (Ollama does so when both are set). */
    public String renderInsert(String prompt, String suffix, ThinkOption think) throws GoTemplateException {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("Prompt", prompt == null ? "" : prompt);
        data.put("Suffix", suffix == null ? "" : suffix);
        data.put("Response", "");
        putThink(data, think == null ? ThinkOption.UNSET : think);
        return template.execute(data);
    }

    private static void putThink(Map<String, Object> data, ThinkOption th) {
        data.put("Think", th.think());
        data.put("ThinkLevel", th.level());
        data.put("IsThinkSet", th.isSet());
    }

    /**
     * Merges consecutive messages of the same role (content joined by a blank line), except tool messages,
     * as Ollama's collate. The first message of a run keeps its other fields.
     */
    static List<ChatMessage> collate(List<ChatMessage> msgs) {
        List<ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : msgs) {
            if (!out.isEmpty() && out.getLast().role().equals(m.role()) && !m.role().equals("tool")) {
                ChatMessage prev = out.removeLast();
                out.add(new ChatMessage(prev.role(), prev.content() + "\n\n" + m.content(), prev.thinking(),
                        prev.toolCalls(), prev.toolName()));
            } else {
                out.add(m);
            }
        }
        return out;
    }
}
