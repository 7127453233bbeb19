package io.mbllm.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Errors with positions, llama.cpp's lenient undefined handling, limits, globals, input isolation, speed. */
class TemplateEngineTest {

    private static String render(String template, Map<String, ?> vars) throws TemplateException {
        return ChatTemplate.compile(template).render(vars);
    }

    private static TemplateException error(String template, Map<String, ?> vars) {
        return assertThrows(TemplateException.class, () -> render(template, vars));
    }

    // ---- errors are typed and positioned ----

    @Test
    void syntaxErrorsCarryLineAndColumn() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("line one\n  {% if x %}\n{{ y }"));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        assertEquals(3, e.line());
        assertEquals(1, e.column());

        e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("{% for x in y %}\n{% endif %}"));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        assertEquals(2, e.line());

        e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("ab\n{{ 1 + }}"));
        assertEquals(2, e.line());
        assertEquals(8, e.column());

        e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("{% include 'x' %}"));
        assertTrue(e.getMessage().contains("include"), e.getMessage());
        assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ 'unterminated }}"));
        assertThrows(TemplateException.class, () -> ChatTemplate.compile("{# never closed"));
        assertThrows(TemplateException.class, () -> ChatTemplate.compile("{% if %}{% endif %}"));
        assertThrows(TemplateException.class, () -> ChatTemplate.compile(null));
    }

    @Test
    void raiseExceptionIsTypedWithTheTemplatesMessage() {
        TemplateException e = error("ok\n  {{ raise_exception('Roles must alternate') }}", Map.of());
        assertEquals(TemplateException.Kind.RAISED, e.kind());
        assertEquals("Roles must alternate", e.detail());
        assertEquals(2, e.line());
        assertEquals(6, e.column());
    }

    @Test
    void runtimeErrorsAreTypedAndPositioned() {
        TemplateException e = error("{{ x | nosuchfilter }}", Map.of());
        assertEquals(TemplateException.Kind.RUNTIME, e.kind());
        assertTrue(e.detail().contains("nosuchfilter"));
        assertEquals(1, e.line());
        assertEquals(TemplateException.Kind.RUNTIME, error("{{ x is nosuchtest }}", Map.of()).kind());
        assertTrue(error("{{ m.content.lstrip() }}", Map.of("m", Map.of())).detail().contains("'content' is undefined"));
        assertTrue(error("{{ m.content | tojson }}", Map.of("m", Map.of())).detail().contains("tojson"));
        error("{{ 1 / 0 }}", Map.of());
        error("{{ 1 + 'a' }}", Map.of());
        error("{{ [1] < 'a' }}", Map.of());
        error("{% set a, b = [1, 2, 3] %}", Map.of());
        error("{{ 'x'.nosuchmethod() }}", Map.of());
        error("{{ 5() }}", Map.of());
        error("{{ [].pop() }}", Map.of());
        error("{% set x = 1 %}{% set x.attr = 2 %}", Map.of());
        assertEquals(TemplateException.Kind.RUNTIME,
                assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ x }}").render(Map.of("x", new Object()))).kind());
    }

    @Test
    void windowsNewlinesAreNormalizedLikeJinja2() throws Exception {
        assertEquals("a\nb\n", render("a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", Map.of()));
        assertEquals("x\ny", render("x\ry\n", Map.of()));
    }

    // ---- llama.cpp engine semantics where they are more lenient than Python Jinja2 ----

    @Test
    void undefinedIsLenientExceptForMethodsAndTojson() throws Exception {
        Map<String, Object> m = Map.of("m", Map.of("role", "assistant"));
        assertEquals("<a></a>", render("{{ '<a>' + m.content + '</a>' }}", m));
        assertEquals("[]", render("[{{ m.content | trim }}]", m));
        assertEquals("[]", render("[{{ m.content[0]['text'] }}]", m));
        assertEquals("[]", render("[{{ m.content.nested.deeper }}]", m));
        assertEquals("0", render("{{ m.content | length }}", m));
        assertEquals("", render("{% for x in m.content %}x{% endfor %}", m));
        assertEquals("0", render("{{ none | selectattr('type', 'equalto', 'x') | list | length }}", Map.of()));
    }

    @Test
    void stringPlusContainerConcatenatesItsRepr() throws Exception {
        assertEquals(">>>{'arg': 'hello'}", render("{{ '>>>' + args }}", Map.of("args", Map.of("arg", "hello"))));
        assertEquals("[1, 2]!", render("{{ [1, 2] + '!' }}", Map.of()));
    }

    // ---- globals, isolation, limits ----

    @Test
    void strftimeNowUsesTheInjectedClock() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T09:05:03Z"), ZoneOffset.UTC);
        assertEquals("25 Nov 2026|November 25, 2026|2026-11-25 09:05:03|Wednesday AM|329",
                ChatTemplate.compile("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%B %d, %Y') }}|"
                        + "{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %p') }}|{{ strftime_now('%j') }}")
                        .render(Map.of(), clock));
    }

    @Test
    void templatesCannotMutateTheCallersData() throws Exception {
        List<Object> list = new ArrayList<>(List.of("a"));
        Map<String, Object> dict = new LinkedHashMap<>(Map.of("k", "v"));
        String out = render("{% set _ = l.append('b') %}{% set _ = d.update({'z': 1}) %}{{ l }}{{ d }}", Map.of("l", list, "d", dict));
        assertEquals("['a', 'b']{'k': 'v', 'z': 1}", out);
        assertEquals(List.of("a"), list);
        assertEquals(Map.of("k", "v"), dict);
    }

    @Test
    void javaValuesAreConverted() throws Exception {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("i", 3);
        vars.put("f", 1.5f);
        vars.put("arr", new String[] {"x", "y"});
        vars.put("n", null);
        assertEquals("4 2.5 ['x', 'y'] True", render("{{ i + 1 }} {{ f + 1 }} {{ arr }} {{ n is none }}", vars));
    }

    @Test
    void runawayTemplatesFailInsteadOfHanging() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertTrue(error("{% for i in range(100000000000) %}{% endfor %}", Map.of()).detail().contains("range"));
            assertTrue(error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", Map.of()).detail().contains("recursion"));
            assertTrue(error("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", Map.of())
                    .detail().contains("iterations"));
            error("{% set s = 'x' * 100000000 %}", Map.of());
            error("{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", Map.of());
            error("{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}", Map.of());
        });
    }

    // ---- speed: compile once, render per request ----

    @Test
    void rendersLargeSharedTemplatesInAFewMilliseconds() throws Exception {
        Map<String, Object> data = SharedChatData.readJson("rendered-outputs.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> input = (Map<String, Object>) ((Map<String, Object>) data.get("inputs")).get("tools");
        for (String file : List.of("google-gemma-4-31B-it.jinja", "Apertus-8B-Instruct.jinja", "openai-gpt-oss-120b.jinja")) {
            ChatTemplate t = ChatTemplate.compile(SharedChatData.template(file));
            for (int i = 0; i < 200; i++) t.render(input, SharedChatData.RENDER_CLOCK);
            int n = 200;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) t.render(input, SharedChatData.RENDER_CLOCK);
            double ms = (System.nanoTime() - start) / 1e6 / n;
            System.out.printf("render %s: %.3f ms%n", file, ms);
            assertTrue(ms < 5, file + " renders in " + ms + " ms");
        }
    }
}
