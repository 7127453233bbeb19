package io.mbllm.engine.template.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-derived checks for features the conformance table does not cover: Go 1.22+/1.23 additions
 * (range over int, else with), recursion and nesting limits, error locations, Java-specific value types
 * (records, arrays, {@link GoStringer}, {@link GoFunction}), and the json encoder's number forms.
 */
class GoTemplateTest {

    private static String run(String template, Object data) throws GoTemplateException {
        return GoTemplate.parse(template).execute(data);
    }

    private static Map<String, Object> data() {
        return GoTemplateConformanceTest.data();
    }

    record Money(long cents) implements GoStringer {
        @Override
        public String goString() {
            return cents / 100 + "." + String.format("%02d", cents % 100) + " EUR";
        }
    }

    @Test
    void rangeOverInteger() throws Exception {
        assertEquals("012", run("{{ range 3 }}{{ . }}{{ end }}", null));
        assertEquals("0,1,", run("{{ range $i := .N }}{{ if eq $i 2 }}{{ break }}{{ end }}{{ $i }},{{ end }}", data()));
        assertEquals("none", run("{{ range 0 }}x{{ else }}none{{ end }}", null));
        GoTemplateException e = assertThrows(GoTemplateException.class,
                () -> run("{{ range $i, $j := 3 }}{{ end }}", null));
        assertEquals("can't use 3 to iterate over more than one variable", e.detail());
    }

    @Test
    void elseWithChain() throws Exception {
        assertEquals("b:Ada", run("{{ with .Empty }}a{{ else with .Name }}b:{{ . }}{{ else }}c{{ end }}", data()));
        assertEquals("c", run("{{ with .Empty }}a{{ else with .Zero }}b{{ else }}c{{ end }}", data()));
    }

    @Test
    void trimMarkersEatAllAsciiWhitespace() throws Exception {
        assertEquals("axb", run("a \t\r\n{{- \"x\" -}} \n\tb", null));
        assertEquals("12", run("{{ 1 }} \n{{- 2 }}", null));
        assertEquals("x", run("{{/* multi\nline */}}x", null));
        assertEquals("a-1 b", run("a{{-1}} b", null));
        assertEquals("Ada", run("{{.Name}}", data()));
    }

    @Test
    void nestedBreakOnlyLeavesInnerRange() throws Exception {
        assertEquals("abc", run("{{ range .List }}{{ range $.Nums }}{{ break }}x{{ end }}{{ . }}{{ end }}", data()));
        assertEquals("Ada", run("{{ with $x := .Name }}{{ $x }}{{ end }}", data()));
    }

    @Test
    void andOrShortCircuit() throws Exception {
        assertEquals("true", run("{{ or .T (index .Nil 0) }}", data()));
        assertEquals("false", run("{{ and .Fl (index .Nil 0) }}", data()));
        assertThrows(GoTemplateException.class, () -> run("{{ and .T (index .Nil 0) }}", data()));
    }

    @Test
    void threeIndexSliceAndIntegerMapKeys() throws Exception {
        assertEquals("[a]", run("{{ slice .List 0 1 2 }}", data()));
        assertEquals("one", run("{{ index . 1 }}", Map.of(1L, "one")));
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> run("{{ slice .Name 0 1 2 }}", data()));
        assertEquals("error calling slice: cannot 3-index slice a string", e.detail());
    }

    @Test
    void recursiveTemplates() throws Exception {
        String walk = "{{ define \"walk\" }}{{ if . }}{{ index . 0 }}{{ template \"walk\" (slice . 1) }}{{ end }}{{ end }}"
                + "{{ template \"walk\" .List }}";
        assertEquals("abc", run(walk, data()));
        GoTemplateException e = assertThrows(GoTemplateException.class,
                () -> run("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", null));
        assertEquals("exceeded maximum template depth (" + Executor.MAX_DEPTH + ")", e.detail());
    }

    @Test
    void executeNamedTemplate() throws Exception {
        GoTemplate t = GoTemplate.parse("{{ define \"item\" }}[{{ . }}]{{ end }}body");
        assertEquals("[z]", t.executeTemplate("item", "z"));
        assertEquals("body", t.execute(null));
        assertThrows(GoTemplateException.class, () -> t.executeTemplate("none", null));
    }

    @Test
    void multipleDefinitionIsASyntaxError() throws Exception {
        GoTemplateException e = assertThrows(GoTemplateException.class,
                () -> GoTemplate.parse("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}"));
        assertEquals("template: multiple definition of template \"a\"", e.detail());
        // an empty definition may be replaced
        assertEquals("y", run("{{ define \"a\" }}{{ end }}{{ define \"a\" }}y{{ end }}{{ template \"a\" }}", null));
    }

    @Test
    void deepNestingIsATypedErrorNotAStackOverflow() {
        String parens = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> GoTemplate.parse(parens));
        assertEquals("nesting deeper than " + Parser.MAX_NESTING + " levels", e.detail());
        String ifs = "{{ if 1 }}".repeat(1000) + "{{ end }}".repeat(1000);
        assertThrows(GoTemplateException.class, () -> GoTemplate.parse(ifs));
    }

    @Test
    void errorLocationAndFormat() {
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> run("line1\n  {{ .Nil.Foo }}", data()));
        assertEquals(2, e.line());
        assertEquals(3, e.column());
        assertEquals(".Nil.Foo", e.action());
        assertEquals("template: :2:3: executing \"\" at <.Nil.Foo>: nil pointer evaluating interface {}.Foo",
                e.getMessage());
        GoTemplateException p = assertThrows(GoTemplateException.class,
                () -> GoTemplate.parse("t", "ab\ncd {{ .X }", Map.of()));
        assertEquals(2, p.line());
        assertEquals("template: t:2:10: unexpected \"}\" in operand", p.getMessage());
    }

    @Test
    void nilLiteralToComparisonIsAnError() {
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> run("{{ eq nil 1 }}", null));
        assertEquals("cannot assign nil to reflect.Value", e.detail());
    }

    @Test
    void stringersRecordsArraysAndFunctions() throws Exception {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("Price", new Money(1999));
        d.put("Arr", new String[] {"x", "y"});
        d.put("Add", (GoFunction) args -> GoValues.toLong(args.get(0)) + GoValues.toLong(args.get(1)));
        d.put("Fail", (GoFunction) args -> {
            throw new IllegalStateException("boom");
        });
        assertEquals("19.99 EUR|19.99 EUR|\"19.99 EUR\"", run("{{ .Price }}|{{ printf \"%v\" .Price }}|{{ printf \"%q\" .Price }}", d));
        assertEquals("2:xy", run("{{ len .Arr }}:{{ range .Arr }}{{ . }}{{ end }}", d));
        assertEquals("5", run("{{ call .Add 2 3 }}", d));
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> run("{{ call .Fail }}", d));
        assertTrue(e.detail().startsWith("error calling call: "), e.detail());
        assertTrue(e.detail().contains("boom"), e.detail());
    }

    @Test
    void unknownRecordFieldIsAnError() {
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> run("{{ .Price.Nope }}",
                Map.of("Price", new Money(1))));
        assertEquals("can't evaluate field Nope in type Money", e.detail());
    }

    @Test
    void extraFunctionsAreCheckedAtParseTime() throws Exception {
        GoTemplate t = GoTemplate.parse("", "{{ shout .Name }}", Map.of("shout",
                args -> ((String) args.getFirst()).toUpperCase() + "!"));
        assertEquals("ADA!", t.execute(data()));
        GoTemplateException e = assertThrows(GoTemplateException.class, () -> GoTemplate.parse("{{ shout 1 }}"));
        assertFalse(e.isExecutionError());
        assertEquals("function \"shout\" not defined", e.detail());
    }

    @Test
    void jsonNumbersAndEscapes() throws Exception {
        assertEquals("1e-7", GoJson.marshal(1e-7));
        assertEquals("0.000001", GoJson.marshal(1e-6));
        assertEquals("123456789", GoJson.marshal(123456789.0));
        assertEquals("1e+21", GoJson.marshal(1e21));
        assertEquals("100000000000000000000", GoJson.marshal(1e20));
        assertEquals("0.1", GoJson.marshal(0.1f));
        assertEquals("-0", GoJson.marshal(-0.0));
        assertEquals("9223372036854775807", GoJson.marshal(Long.MAX_VALUE));
        assertEquals("{\"1\":\"a\",\"10\":\"b\",\"2\":\"c\"}", GoJson.marshal(Map.of(1, "a", 10, "b", 2, "c")));
        assertEquals("\"\\u003c\\u003e\\u0026\\u2028\\u2029\\b\\f\\n\\r\\t\\u001f\u007f\\\"\\\\é😀\"",
                GoJson.marshal("<>&\u2028\u2029\b\f\n\r\t\u001f\u007f\"\\é😀"));
        assertEquals("{\"Name\":\"Bob\",\"Age\":42}", GoJson.marshal(new GoTemplateConformanceTest.Person("Bob", 42)));
        assertThrows(GoJson.UnsupportedValueException.class, () -> GoJson.marshal(Double.NaN));
        assertThrows(GoJson.UnsupportedValueException.class, () -> GoJson.marshal(new Object()));
    }

    @Test
    void printfFloatAndIntegerForms() {
        assertEquals("3.142|1.000000e+00|0.001|1e+06|12345.7", GoFormat.sprintf("%.3f|%e|%v|%v|%.6g",
                List.of(3.14159, 1.0, 0.001, 1e6, 12345.678)));
        assertEquals("0x1f|0X1F|-ff|0o17|00042|    -7", GoFormat.sprintf("%#x|%#X|%x|%O|%05d|%6d",
                List.of(31L, 31L, -255L, 15L, 42L, -7L)));
        assertEquals("'\\n'|\"a\\x00b\"|%!(NOVERB)", GoFormat.sprintf("%q|%q|%", List.of((long) '\n', "a\u0000b")));
    }
}
