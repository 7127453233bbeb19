package io.mbllm.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The chat layer: probing, system merge, role mapping, tool calls, thinking and date context. */
class ChatFormatterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);

    /** Prints only user and assistant turns: ignores the system role. */
    private static final String NO_SYSTEM = "{% for m in messages %}{% if m.role == 'user' %}[U]{{ m.content }}"
            + "{% elif m.role == 'assistant' %}[A]{{ m.content }}{% endif %}{% endfor %}";
    private static final String ALL_ROLES = "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}";

    private static ChatFormatter formatter(String template) throws TemplateException {
        return new ChatFormatter(ChatTemplate.compile(template), "<s>", "</s>", CLOCK);
    }

    @Test
    void mergesSystemIntoNextMessageWhenTemplateIgnoresIt() throws Exception {
        ChatFormatter f = formatter(NO_SYSTEM);
        assertFalse(f.capabilities().supportsSystemRole());
        assertEquals("[U]Be brief\nHi[A]Hello",
                f.format(List.of(ChatMessage.system("Be brief"), ChatMessage.user("Hi"), ChatMessage.assistant("Hello")), List.of(), true, Map.of()));
        assertEquals("", f.format(List.of(ChatMessage.system("alone")), List.of(), true, Map.of()));
    }

    @Test
    void mergesWhenTemplateRaisesOnSystem() throws Exception {
        ChatFormatter f = formatter("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" + NO_SYSTEM);
        assertFalse(f.capabilities().supportsSystemRole());
        assertEquals("[U]sys\nHi", f.format(List.of(ChatMessage.system("sys"), ChatMessage.user("Hi")), List.of(), true, Map.of()));
    }

    @Test
    void keepsSystemWhenSupportedAndMapsDeveloperToSystem() throws Exception {
        ChatFormatter f = formatter(ALL_ROLES);
        assertTrue(f.capabilities().supportsSystemRole());
        assertEquals("<system>rules<user>Hi",
                f.format(List.of(ChatMessage.of("developer", "rules"), ChatMessage.user("Hi")), List.of(), true, Map.of()));
    }

    @Test
    void toolCallMessagesGetEmptyContentAndObjectArguments() throws Exception {
        ChatFormatter f = formatter("{% for m in messages %}{% if m.tool_calls %}{{ m.content | tojson }}"
                + "{% for c in m.tool_calls %}{{ c.function.name }}{{ c.function.arguments | tojson }}{{ c.id }}{% endfor %}"
                + "{% endif %}{% endfor %}{% for t in tools %}|{{ t | tojson }}{% endfor %}");
        assertFalse(f.capabilities().wantsStringArguments());
        ChatMessage call = ChatMessage.toolCalls(null, List.of(new ToolCall("c1", "get_weather", "{\"city\": \"Paris\"}")));
        ToolDefinition tool = new ToolDefinition("get_weather", "Weather", Map.of("type", "object"));
        assertEquals("\"\"get_weather{\"city\": \"Paris\"}c1|{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
                        + "\"description\": \"Weather\", \"parameters\": {\"type\": \"object\"}}}",
                f.format(List.of(ChatMessage.user("x"), call), List.of(tool), false, Map.of()));
    }

    @Test
    void templatesPrintingArgumentsVerbatimGetCompactJsonStrings() throws Exception {
        ChatFormatter f = formatter("{% for m in messages %}{% for c in m.tool_calls %}{{ '>>>' + c.function.name + '\\n' + c.function.arguments }}"
                + "{% endfor %}{% endfor %}");
        assertTrue(f.capabilities().wantsStringArguments());
        ChatMessage call = ChatMessage.toolCalls(null, List.of(new ToolCall(null, "test", Map.of("arg", "hello"))));
        assertEquals(">>>test\n{\"arg\":\"hello\"}", f.format(List.of(call), List.of(), false, Map.of()));
    }

    @Test
    void providesThinkingAndDateContextOverridableByExtra() throws Exception {
        ChatFormatter f = formatter("{{ enable_thinking }}|{{ date_string }}|{{ datetime }}|{{ bos_token }}{{ eos_token }}|{{ add_generation_prompt }}");
        assertEquals("True|25 Nov 2026|Nov 25 2026|<s></s>|True", f.format(List.of(), List.of(), true, Map.of()));
        assertEquals("False|today|Nov 25 2026|<s></s>|False",
                f.format(List.of(), List.of(), false, Map.of("enable_thinking", false, "date_string", "today")));
    }

    @Test
    void toolResultMessagesExposeIdAndName() throws Exception {
        ChatFormatter f = formatter("{% for m in messages %}{{ m.role }}:{{ m.tool_call_id }}:{{ m.name }}:{{ m.content }}:{{ m.reasoning_content is defined }}{% endfor %}");
        assertEquals("tool:c1:get_weather:sunny:False",
                f.format(List.of(ChatMessage.toolResult("c1", "get_weather", "sunny")), List.of(), false, Map.of()));
    }
}
