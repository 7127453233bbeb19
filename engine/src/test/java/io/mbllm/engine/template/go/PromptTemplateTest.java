package io.mbllm.engine.template.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Ollama layer: messages mode, legacy mode, tools, capabilities. Messages-mode expectations were
 * produced by running Go's text/template on the same templates with the data Ollama builds (maps with the
 * same field names, tool JSON in Ollama's struct field order); legacy-mode expectations are derived by hand
 * from template.go's per-turn loop and Response cut, step by step in the comments.
 */
class PromptTemplateTest {

    static final String CHATML = """
            {{- if .System }}<|im_start|>system
            {{ .System }}<|im_end|>
            {{ end }}
            {{- range .Messages }}{{ if ne .Role "system" }}<|im_start|>{{ .Role }}
            {{ .Content }}<|im_end|>
            {{ end }}{{ end }}<|im_start|>assistant
            """;

    static final String LLAMA3_TOOLS = """
            {{- if or .System .Tools }}<|start_header_id|>system<|end_header_id|>

            {{ .System }}
            {{- if .Tools }}

            You may call these functions:
            {{- range .Tools }}
            {{ json . }}
            {{- end }}
            {{- end }}<|eot_id|>
            {{- end }}
            {{- range $i, $m := .Messages }}
            {{- $last := eq (len (slice $.Messages $i)) 1 }}
            {{- if eq .Role "system" }}{{ continue }}
            {{- else if eq .Role "user" }}<|start_header_id|>user<|end_header_id|>

            {{ .Content }}<|eot_id|>
            {{- else if eq .Role "assistant" }}<|start_header_id|>assistant<|end_header_id|>

            {{ if .ToolCalls }}{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "parameters": {{ .Function.Arguments }}}{{ end }}{{ else }}{{ .Content }}{{ end }}
            {{- if not $last }}<|eot_id|>{{ end }}
            {{- else if eq .Role "tool" }}<|start_header_id|>ipython<|end_header_id|>

            {{ .Content }}<|eot_id|>
            {{- end }}
            {{- if and $last (ne .Role "assistant") }}<|start_header_id|>assistant<|end_header_id|>

            {{ end }}
            {{- end }}
            """;

    static final String MISTRAL = """
            {{- range $i, $_ := .Messages }}
            {{- if eq .Role "user" }}[INST] {{ if and (eq $i 1) $.System }}{{ $.System }}

            {{ end }}{{ .Content }} [/INST]
            {{- else if eq .Role "assistant" }} {{ .Content }}</s>
            {{- end }}
            {{- end }}
            """;

    static final String GEMMA = """
            {{- $system := .System }}
            {{- range .Messages }}
            {{- if eq .Role "system" }}{{ continue }}{{ end }}<start_of_turn>
            {{- if eq .Role "assistant" }}model{{ else }}{{ .Role }}{{ end }}
            {{ if and $system (eq .Role "user") }}{{ $system }}

            {{ $system = "" }}{{ end }}{{ .Content }}<end_of_turn>
            {{ end }}<start_of_turn>model
            """;

    static final String PHI3 = """
            {{ range .Messages }}<|{{ .Role }}|>
            {{ .Content }}<|end|>
            {{ end }}<|assistant|>
            """;

    static final String THINK = """
            {{- range .Messages }}<|im_start|>{{ .Role }}
            {{ if .Thinking }}<think>{{ .Thinking }}</think>
            {{ end }}{{ .Content }}<|im_end|>
            {{ end }}<|im_start|>assistant
            {{ if and .IsThinkSet (not .Think) }}<think></think>
            {{ end }}
            """;

    static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are terse."),
            ChatMessage.user("Hi!"),
            ChatMessage.assistant("Hello."),
            ChatMessage.user("Is Toronto in Canada?"));

    static ToolSpec weatherTool() {
        Map<String, Object> city = new LinkedHashMap<>();
        city.put("type", "string");
        city.put("description", "City name");
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("city", city);
        props.put("days", Map.of("type", "integer"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("type", "object");
        params.put("properties", props);
        params.put("required", List.of("city"));
        return new ToolSpec("get_weather", "Get weather for <city> & region", params);
    }

    // ---- messages mode -------------------------------------------------------------------------------

    @Test
    void chatmlMessagesMode() throws Exception {
        PromptTemplate t = PromptTemplate.parse(CHATML);
        assertTrue(t.usesMessages());
        assertEquals("<|im_start|>system\n"
                + "You are terse.<|im_end|>\n"
                + "<|im_start|>user\n"
                + "Hi!<|im_end|>\n"
                + "<|im_start|>assistant\n"
                + "Hello.<|im_end|>\n"
                + "<|im_start|>user\n"
                + "Is Toronto in Canada?<|im_end|>\n"
                + "<|im_start|>assistant\n", t.render(CONVERSATION, List.of()));
    }

    @Test
    void consecutiveUserMessagesAreMerged() throws Exception {
        PromptTemplate t = PromptTemplate.parse(CHATML);
        assertEquals("<|im_start|>user\n"
                + "a\n"
                + "\n"
                + "b<|im_end|>\n"
                + "<|im_start|>assistant\n", t.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), List.of()));
    }

    @Test
    void mistralInstStyle() throws Exception {
        assertEquals("[INST] You are terse.\n"
                + "\n"
                + "Hi! [/INST] Hello.</s>[INST] Is Toronto in Canada? [/INST]\n", PromptTemplate.parse(MISTRAL).render(CONVERSATION, List.of()));
    }

    @Test
    void gemmaStyleWithVariableAssignment() throws Exception {
        assertEquals("<start_of_turn>user\n"
                + "You are terse.\n"
                + "\n"
                + "Hi!<end_of_turn>\n"
                + "<start_of_turn>model\n"
                + "Hello.<end_of_turn>\n"
                + "<start_of_turn>user\n"
                + "Is Toronto in Canada?<end_of_turn>\n"
                + "<start_of_turn>model\n", PromptTemplate.parse(GEMMA).render(CONVERSATION, List.of()));
    }

    @Test
    void phi3Style() throws Exception {
        assertEquals("<|system|>\n"
                + "You are terse.<|end|>\n"
                + "<|user|>\n"
                + "Hi!<|end|>\n"
                + "<|assistant|>\n"
                + "Hello.<|end|>\n"
                + "<|user|>\n"
                + "Is Toronto in Canada?<|end|>\n"
                + "<|assistant|>\n", PromptTemplate.parse(PHI3).render(CONVERSATION, List.of()));
    }

    @Test
    void llama3WithToolsJsonAndToolCalls() throws Exception {
        PromptTemplate t = PromptTemplate.parse(LLAMA3_TOOLS);
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("days", 2);
        args.put("city", "Paris");
        List<ChatMessage> msgs = List.of(
                ChatMessage.user("Weather in Paris?"),
                ChatMessage.assistantToolCalls("", List.of(new ToolCall("get_weather", args))),
                ChatMessage.tool("get_weather", "{\"temp\": 21}"));
        assertEquals("<|start_header_id|>system<|end_header_id|>\n"
                + "\n"
                + "\n"
                + "\n"
                + "You may call these functions:\n"
                + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Get weather for \\u003ccity\\u003e \\u0026 region\",\"parameters\":{\"type\":\"object\",\"required\":[\"city\"],\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"City name\"},\"days\":{\"type\":\"integer\"}}}}}<|eot_id|><|start_header_id|>user<|end_header_id|>\n"
                + "\n"
                + "Weather in Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n"
                + "\n"
                + "{\"name\": \"get_weather\", \"parameters\": {\"city\":\"Paris\",\"days\":2}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n"
                + "\n"
                + "{\"temp\": 21}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n"
                + "\n"
                + "\n", t.render(msgs, List.of(weatherTool())));
    }

    @Test
    void llama3SystemFromSystemPrompt() throws Exception {
        PromptTemplate t = PromptTemplate.parse(LLAMA3_TOOLS);
        List<ChatMessage> msgs = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello"),
                ChatMessage.user("Bye"));
        // the model's SYSTEM is prepended as a system message because the chat has none
        assertEquals("<|start_header_id|>system<|end_header_id|>\n"
                + "\n"
                + "Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n"
                + "\n"
                + "Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n"
                + "\n"
                + "Hello<|eot_id|><|start_header_id|>user<|end_header_id|>\n"
                + "\n"
                + "Bye<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n"
                + "\n"
                + "\n", t.render("Be brief.", msgs, List.of(), ThinkOption.UNSET));
    }

    @Test
    void thinkingFieldsAndThinkOptions() throws Exception {
        PromptTemplate t = PromptTemplate.parse(THINK);
        List<ChatMessage> msgs = List.of(ChatMessage.user("2+2?"),
                new ChatMessage("assistant", "4", "add", List.of(), ""), ChatMessage.user("3+3?"));
        assertEquals("<|im_start|>user\n"
                + "2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n"
                + "<think>add</think>\n"
                + "4<|im_end|>\n"
                + "<|im_start|>user\n"
                + "3+3?<|im_end|>\n"
                + "<|im_start|>assistant\n"
                + "<think></think>\n"
                + "\n", t.render(msgs, List.of(), ThinkOption.of(false)));
    }

    @Test
    void systemMessagesAreJoinedIntoSystem() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ .System }}|{{ range .Messages }}{{ .Role }}:{{ .Content }};{{ end }}");
        String out = t.render(List.of(ChatMessage.system("a"), ChatMessage.system("b"), ChatMessage.user("u"),
                ChatMessage.tool("f", "1"), ChatMessage.tool("f", "2")), List.of());
        assertEquals("a\n\nb|system:a\n\nb;user:u;tool:1;tool:2;", out);
    }

    @Test
    void toolsPrintAsJsonAndArgumentsRangeSorted() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ .Tools }}|{{ range .Messages }}{{ range .ToolCalls }}"
                + "{{ .Function.Name }}{{ range $k, $v := .Function.Arguments }} {{ $k }}={{ $v }}{{ end }}"
                + " {{ json .Function.Arguments }}{{ end }}{{ end }}");
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("zeta", "<z>");
        args.put("alpha", List.of(1, 2.5, true));
        String out = t.render(List.of(ChatMessage.assistantToolCalls("", List.of(new ToolCall("f", args)))),
                List.of(new ToolSpec("f", "", Map.of())));
        assertEquals("[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":\"\",\"parameters\":"
                + "{\"type\":\"\",\"properties\":null}}}]|f alpha=[1 2.5 true] zeta=<z>"
                + " {\"alpha\":[1,2.5,true],\"zeta\":\"\\u003cz\\u003e\"}", out);
    }

    @Test
    void noToolsIsFalsyAndPrintsNull() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ if .Tools }}tools{{ else }}none{{ end }} {{ .Tools }}"
                + "{{ range .Messages }}{{ end }}");
        assertEquals("none null", t.render(List.of(ChatMessage.user("x")), List.of()));
    }

    @Test
    void toTypeScriptTypeAndPropertyType() throws Exception {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("units", Map.of("type", List.of("string", "null")));
        props.put("days", Map.of("type", "integer"));
        props.put("tags", Map.of("type", "array", "items", Map.of("type", "string")));
        props.put("opt", Map.of("anyOf", List.of(Map.of("type", "boolean"), Map.of("type", "object"))));
        props.put("free", Map.of("description", "anything"));
        ToolSpec spec = new ToolSpec("f", "d", Map.of("type", "object", "properties", props));
        PromptTemplate t = PromptTemplate.parse("{{ range .Tools }}{{ range $n, $p := .Function.Parameters.Properties }}"
                + "{{ $n }}:{{ toTypeScriptType $p }}:{{ $p.Type }};{{ end }}{{ toTypeScriptType \"x\" }}{{ end }}"
                + "{{ .Messages }}");
        assertEquals("days:number:integer;free:any:;opt:boolean | Record<string, any>:;tags:any[]:array;"
                + "units:string | null:[string null];any[]", t.render(List.of(), List.of(spec)));
    }

    @Test
    void badToolSchemaIsATypedError() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ .Tools }}{{ .Messages }}");
        ToolSpec bad = new ToolSpec("f", "d", Map.of("properties", "not an object"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(), List.of(bad)));
        assertTrue(e.getMessage().contains("properties must be an object"), e.getMessage());
    }

    @Test
    void dateFunctionsUseTheClock() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2024-03-01T10:00:00Z"), ZoneOffset.UTC);
        PromptTemplate t = PromptTemplate.parse("{{ currentDate }} {{ yesterdayDate }} {{ currentDate \"ignored\" }}",
                clock);
        assertEquals("2024-03-01 2024-02-29 2024-03-01", t.render(List.of(ChatMessage.user("x")), List.of()));
    }

    @Test
    void executionErrorCarriesTheAction() {
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> PromptTemplate
                .parse("{{ range .Messages }}\n{{ .Nope }}{{ end }}").render(List.of(ChatMessage.user("x")), List.of()));
        assertTrue(e.isExecutionError());
        assertEquals(2, e.line());
        assertEquals(".Nope", e.action());
        assertEquals("can't evaluate field Nope in type Message", e.detail());
    }

    // ---- legacy mode ---------------------------------------------------------------------------------

    static final String LEGACY = "{{ if .System }}<|system|>\n{{ .System }}<|end|>\n{{ end }}"
            + "<|user|>\n{{ .Prompt }}<|end|>\n<|assistant|>\n{{ .Response }}<|end|>\n";

    @Test
    void legacySingleTurnCutsAfterResponse() throws Exception {
        PromptTemplate t = PromptTemplate.parse(LEGACY);
        assertFalse(t.usesMessages());
        // one (system, user) turn; everything after {{ .Response }} ("<|end|>\n") is cut
        assertEquals("<|system|>\nS<|end|>\n<|user|>\nQ<|end|>\n<|assistant|>\n",
                t.render("S", List.of(ChatMessage.user("Q")), List.of(), ThinkOption.UNSET));
    }

    @Test
    void legacyMultiTurnConcatenates() throws Exception {
        PromptTemplate t = PromptTemplate.parse(LEGACY);
        // turn 1 = (S, U1, A1) rendered in full; turn 2 = ("", U2, "") rendered up to {{ .Response }}
        assertEquals("<|system|>\nS<|end|>\n<|user|>\nU1<|end|>\n<|assistant|>\nA1<|end|>\n"
                        + "<|user|>\nU2<|end|>\n<|assistant|>\n",
                t.render(List.of(ChatMessage.system("S"), ChatMessage.user("U1"), ChatMessage.assistant("A1"),
                        ChatMessage.user("U2")), List.of()));
    }

    @Test
    void legacyTrailingAssistantIsAPrefill() throws Exception {
        PromptTemplate t = PromptTemplate.parse(LEGACY);
        assertEquals("<|user|>\nQ<|end|>\n<|assistant|>\nThe answer is",
                t.render(List.of(ChatMessage.user("Q"), ChatMessage.assistant("The answer is")), List.of()));
    }

    @Test
    void legacySystemMidConversationStartsANewTurn() throws Exception {
        PromptTemplate t = PromptTemplate.parse("[{{ .System }}|{{ .Prompt }}|{{ .Response }}]");
        // system(S1) user(a) system(S2) user(b): the second system flushes (S1,a,""), then (S2,b,"") is cut
        // after Response, dropping the closing "]"
        assertEquals("[S1|a|][S2|b|", t.render(List.of(ChatMessage.system("S1"), ChatMessage.user("a"),
                ChatMessage.system("S2"), ChatMessage.user("b")), List.of()));
    }

    @Test
    void legacyWithoutResponseGetsItAppended() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ .System }} {{ .Prompt }}");
        // parsed as "{{ .System }} {{ .Prompt }}{{ .Response }}": (,a,b) -> " ab", then (,c,) -> " c"
        assertEquals(" ab c", t.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b"),
                ChatMessage.user("c")), List.of()));
        assertEquals("{{ .System }} {{ .Prompt }}", t.source());
    }

    @Test
    void legacyResponseInsideIfCutsTheRestOfTheBranchAndTemplate() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ if .Prompt }}Q: {{ .Prompt }}\nA: {{ .Response }} END{{ end }}\n---\n");
        assertEquals("Q: x\nA: y END\n---\nQ: z\nA: ", t.render(List.of(ChatMessage.user("x"),
                ChatMessage.assistant("y"), ChatMessage.user("z")), List.of()));
    }

    @Test
    void legacyIgnoresToolMessages() throws Exception {
        PromptTemplate t = PromptTemplate.parse("<{{ .Prompt }}>{{ .Response }}");
        assertEquals("<q>", t.render(List.of(ChatMessage.user("q"), ChatMessage.tool("f", "r")), List.of()));
    }

    @Test
    void defaultTemplate() throws Exception {
        PromptTemplate t = PromptTemplate.defaultTemplate();
        assertEquals("{{ .Prompt }}", t.source());
        assertEquals("hello", t.render("sys", List.of(ChatMessage.user("hello")), List.of(), ThinkOption.UNSET));
        assertEquals("u1a1u2", t.render(List.of(ChatMessage.user("u1"), ChatMessage.assistant("a1"),
                ChatMessage.user("u2")), List.of()));
        assertEquals(Set.of(), t.capabilities());
    }

    @Test
    void fillInMiddle() throws Exception {
        PromptTemplate t = PromptTemplate.parse("<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>");
        assertEquals(Set.of(Capability.INSERT), t.capabilities());
        assertEquals("<PRE> def f( <SUF>) <MID>", t.renderInsert("def f(", ")", ThinkOption.UNSET));
    }

    // ---- capabilities --------------------------------------------------------------------------------

    @Test
    void capabilities() throws Exception {
        assertEquals(Set.of(), PromptTemplate.parse(CHATML).capabilities());
        assertEquals(Set.of(Capability.TOOLS), PromptTemplate.parse(LLAMA3_TOOLS).capabilities());
        assertEquals(Set.of(Capability.TOOLS), PromptTemplate.parse("{{ range $.Tools }}{{ end }}").capabilities());
        PromptTemplate think = PromptTemplate.parse(THINK);
        assertEquals(Set.of(Capability.THINKING), think.capabilities());
        assertEquals("<think>", think.thinkingOpeningTag());
        assertEquals("</think>", think.thinkingClosingTag());
        // .Thinking outside a range over .Messages does not count
        assertEquals(Set.of(), PromptTemplate.parse("<think>{{ .Thinking }}</think>").capabilities());
    }

    @Test
    void varsAreLowerCasedIdentifiers() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{ define \"x\" }}{{ .Suffix }}{{ end }}{{ range $m := $.Messages }}"
                + "{{ $m.Content }}{{ end }}");
        assertEquals(Set.of("$", "$m", "content", "messages", "suffix"), t.vars());
        assertTrue(t.capabilities().contains(Capability.INSERT));
    }

    @Test
    void syntaxErrorIsTyped() {
        GoTemplateException e = assertThrows(GoTemplateException.class,
                () -> PromptTemplate.parse("ok\n{{ range .Messages }}"));
        assertFalse(e.isExecutionError());
        assertEquals(2, e.line());
        assertEquals("unexpected EOF", e.detail());
    }
}
