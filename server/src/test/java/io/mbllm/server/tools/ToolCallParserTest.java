package io.mbllm.server.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ToolCallParserTest {
    final ToolCallParser p = new ToolCallParser(Set.of("get_weather", "noargs"));

    @Test
    void taggedCalls() {
        var r = p.parse("Let me check.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Tokyo\"}}\n</tool_call>"
                + "<tool_call>{\"name\":\"noargs\"}</tool_call>");
        assertEquals("Let me check.", r.content());
        assertEquals(List.of(new ParsedToolCall("get_weather", Map.of("city", "Tokyo")), new ParsedToolCall("noargs", Map.of())), r.calls());
    }

    @Test
    void bareJsonObjectsArraysAndShapes() {
        assertEquals(List.of(new ParsedToolCall("get_weather", Map.of("city", "Paris"))),
                p.parse(" {\"name\":\"get_weather\",\"parameters\":{\"city\":\"Paris\"}}").calls());
        assertEquals(2, p.parse("[{\"name\":\"get_weather\",\"arguments\":{}},{\"function\":{\"name\":\"noargs\",\"arguments\":\"{\\\"a\\\":1}\"}}]").calls().size());
        assertEquals(Map.of("a", 1), p.parse("{\"function\":{\"name\":\"noargs\",\"arguments\":\"{\\\"a\\\":1}\"}}").calls().getFirst().arguments());
        assertEquals(2, p.parse("{\"name\":\"noargs\"}\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"X\"}}").calls().size());
        assertEquals(1, p.parse("[TOOL_CALLS] [{\"name\":\"noargs\",\"arguments\":{}}]").calls().size());
    }

    @Test
    void textAndUnknownToolsStayContent() {
        String t = "{\"name\":\"rm_rf\",\"arguments\":{}}";
        var r = p.parse(t);
        assertTrue(r.calls().isEmpty());
        assertEquals(t, r.content());
        assertEquals("Hello {not json", p.parse("Hello {not json").content());
        assertEquals("<tool_call>oops</tool_call>", p.parse("<tool_call>oops</tool_call>").content());
    }

    @Test
    void streamFilterHoldsPossibleCalls() {
        ToolStreamFilter f = new ToolStreamFilter(p);
        assertEquals("", f.feed("  "));
        assertEquals("", f.feed("{\"name\":"));
        assertEquals("", f.feed("\"noargs\"}"));
        var r = f.finish();
        assertEquals("", r.content());
        assertEquals(1, r.calls().size());

        ToolStreamFilter g = new ToolStreamFilter(p);
        assertEquals("", g.feed("<tool"), "could be the tag");
        assertEquals("<toolth", g.feed("th"));
        assertEquals(" fairy ", g.feed(" fairy <"), "a possible tag start waits");
        assertEquals("", g.feed("tool_"));
        assertEquals("", g.feed("call>{\"name\":\"noargs\"}</tool_call>"));
        var r2 = g.finish();
        assertEquals(List.of(new ParsedToolCall("noargs", Map.of())), r2.calls());

        ToolStreamFilter h = new ToolStreamFilter(p);
        assertEquals("Once", h.feed("Once"));
        assertEquals(" upon", h.feed(" upon"));
        assertEquals("", h.finish().content());
    }
}
