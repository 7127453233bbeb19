package io.mbllm.engine.template.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Language conformance table: each template runs against one fixed data set and must give exactly the
 * output (or the error line and detail) that Go's text/template gives with the same data under
 * {@code missingkey=zero} and a {@code json} function, as Ollama configures it. The expected strings were
 * produced by running Go 1.19's text/template on these templates; two rows are adjusted where mbllm
 * follows a newer Go or names types differently (marked below).
 */
class GoTemplateConformanceTest {

    /** Plays the role of a Go struct {Name string; Age int}. */
    record Person(String name, int age) {
    }

    static Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", "Ada");
        m.put("Empty", "");
        m.put("Zero", 0);
        m.put("N", 3);
        m.put("F", 2.5);
        m.put("T", true);
        m.put("Fl", false);
        m.put("List", List.of("a", "b", "c"));
        m.put("Nums", List.of(1, 2, 3));
        m.put("EmptyList", List.of());
        m.put("Map", Map.of("b", 2, "a", 1, "c", "three"));
        m.put("Nil", null);
        m.put("Html", "<a href=\"x\">Tom & 'Jerry'</a>");
        m.put("Nested", Map.of("Inner", Map.of("Value", "deep")));
        m.put("P", new Person("Bob", 42));
        m.put("People", List.of(new Person("Bob", 42), new Person("Eve", 7)));
        m.put("Big", 1234567.0);
        m.put("Small", 0.00001);
        m.put("Third", 1.0 / 3);
        return m;
    }

    private sealed interface Case permits Ok, ExecError, ParseError {
        String template();
    }

    private record Ok(String template, String expected) implements Case {
    }

    private record ExecError(String template, int line, String detail) implements Case {
    }

    private record ParseError(String template, int line, String detail) implements Case {
    }

    private static Case ok(String t, String expected) {
        return new Ok(t, expected);
    }

    private static Case execError(String t, int line, String detail) {
        return new ExecError(t, line, detail);
    }

    private static Case parseError(String t, int line, String detail) {
        return new ParseError(t, line, detail);
    }

    private static GoTemplate parse(String text) throws GoTemplateException {
        return GoTemplate.parse("", text, Map.of("json", args -> TemplateValues.jsonOrEmpty(args.getFirst())));
    }

    private static final List<Case> CASES = List.of(
            ok("Hello, {{ .Name }}!",
                    "Hello, Ada!"),
            ok("a  {{- .Name -}}  b",
                    "aAdab"),
            ok("a {{- /* comment */ -}} b",
                    "ab"),
            ok("a {{/* c */}} b",
                    "a  b"),
            ok("x\n  {{- .Name }}\n  y",
                    "xAda\n  y"),
            ok("{{ .Name -}}\n\n  tail",
                    "Adatail"),
            ok("{{- 3 -}}|{{-3}}|{{ -3 }}",
                    "3|-3|-3"),
            ok("{{ \"quoted\\t\\\"x\\\"\\u00e9\\x41\" }}|{{ `raw\\n` }}|{{ 'a' }}|{{ '\\n' }}",
                    "quoted\t\"x\"\u00e9A|raw\\n|97|10"),
            ok("{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 1e3 }} {{ 1.5 }} {{ .5 }} {{ 2.0 }}",
                    "31 15 15 5 1000 1000 1.5 0.5 2"),
            ok("{{ .Big }} {{ .Small }} {{ .Third }} {{ .F }} {{ 1e21 }} {{ 1e20 }} {{ 100000.0 }} {{ 0.0001 }}",
                    "1.234567e+06 1e-05 0.3333333333333333 2.5 1e+21 1e+20 100000 0.0001"),
            ok("{{ .Missing }}|{{ .Nil }}|{{ .Nested.Inner.Value }}|{{ .Nested.Nope }}",
                    "<no value>|<no value>|deep|<no value>"),
            ok("{{ .List }} {{ .Nums }} {{ .Map }} {{ .P }} {{ .People }} {{ .EmptyList }} {{ .T }}",
                    "[a b c] [1 2 3] map[a:1 b:2 c:three] {Bob 42} [{Bob 42} {Eve 7}] [] true"),
            ok("{{ if .T }}yes{{ end }}{{ if .Fl }}no{{ else }}else{{ end }}",
                    "yeselse"),
            ok("{{ if .Empty }}1{{ else if .Zero }}2{{ else if .EmptyList }}3{{ else if .Nil }}4{{ else if .Missing }}5{{ else }}6{{ end }}",
                    "6"),
            ok("{{ if .P }}struct-true{{ end }} {{ if .Map }}map-true{{ end }} {{ if .F }}float-true{{ end }} {{ if .N }}int-true{{ end }}",
                    "struct-true map-true float-true int-true"),
            ok("{{ with .Name }}[{{ . }}]{{ end }}{{ with .Empty }}x{{ else }}empty{{ end }}",
                    "[Ada]empty"),
            ok("{{ with .Nested.Inner }}{{ .Value }}{{ end }}",
                    "deep"),
            ok("{{ range .List }}<{{ . }}>{{ end }}",
                    "<a><b><c>"),
            ok("{{ range $i, $e := .List }}{{ $i }}={{ $e }};{{ end }}",
                    "0=a;1=b;2=c;"),
            ok("{{ range $e := .List }}{{ $e }}{{ end }}",
                    "abc"),
            ok("{{ range $k, $v := .Map }}{{ $k }}:{{ $v }} {{ end }}",
                    "a:1 b:2 c:three "),
            ok("{{ range .Map }}{{ . }},{{ end }}",
                    "1,2,three,"),
            ok("{{ range .EmptyList }}x{{ else }}none{{ end }}|{{ range .Nil }}x{{ else }}nil-none{{ end }}|{{ range .Missing }}x{{ else }}missing-none{{ end }}",
                    "none|nil-none|missing-none"),
            ok("{{ range .Nums }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}|{{ range .Nums }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}",
                    "13|1"),
            ok("{{ range .List }}{{ $.Name }}-{{ . }} {{ end }}",
                    "Ada-a Ada-b Ada-c "),
            ok("{{ $x := \"outer\" }}{{ if .T }}{{ $x := \"inner\" }}{{ $x }} {{ end }}{{ $x }}",
                    "inner outer"),
            ok("{{ $x := 1 }}{{ if .T }}{{ $x = 2 }}{{ end }}{{ $x }}",
                    "2"),
            ok("{{ $x := \"a\" }}{{ range .Nums }}{{ $x = print $x . }}{{ end }}{{ $x }}",
                    "a123"),
            ok("{{ $n := len .List }}{{ $n }}",
                    "3"),
            ok("{{ if $v := .Name }}{{ $v }}{{ end }}",
                    "Ada"),
            ok("{{ len .List }} {{ len .Map }} {{ len .Name }} {{ len \"h\u00e9llo\" }} {{ len .EmptyList }}",
                    "3 3 3 6 0"),
            ok("{{ index .List 1 }} {{ index .Map \"c\" }} {{ index .Nested \"Inner\" \"Value\" }} {{ index .Map \"zz\" }} {{ index \"abc\" 1 }}",
                    "b three deep <no value> 98"),
            ok("{{ slice .List 1 }} {{ slice .List 1 2 }} {{ slice .Name 1 }} {{ slice .Name 0 2 }} {{ slice .List }}",
                    "[b c] [b] da Ad [a b c]"),
            ok("{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" \"x\" }} {{ or 0 \"\" }} {{ not 0 }} {{ not .Name }} {{ and .T .Name }}",
                    "0 2 x  true false Ada"),
            ok("{{ and .Fl .Missing.Foo }}|{{ or .T .Missing.Foo }}",
                    "false|true"),
            ok("{{ eq 1 1 }} {{ eq \"a\" \"b\" }} {{ eq .Name \"x\" \"Ada\" }} {{ ne 1 2 }} {{ eq .N 3 }} {{ eq .F 2.5 }} {{ eq .Missing \"x\" }} {{ eq .T true }}",
                    "true false true true true true false true"),
            ok("{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }} {{ lt \"a\" \"b\" }} {{ gt 3 2 }}",
                    "true true true false true true"),
            execError("{{ eq 1 1.0 }}",
                    1, "error calling eq: incompatible types for comparison"),
            execError("{{ lt true false }}",
                    1, "error calling lt: invalid type for comparison"),
            execError("{{ eq .List .List }}",
                    1, "error calling eq: non-comparable type [a b c]: []interface {}"),
            ok("{{ print \"a\" \"b\" 1 2 \"c\" 3 .T }}|{{ print 1 2 }}|{{ print .Nil }}|{{ print }}",
                    "ab1 2c3 true|1 2|<nil>|"),
            ok("{{ println \"a\" 1 }}|{{ println }}|",
                    "a 1\n|\n|"),
            ok("{{ printf \"%s-%d-%v-%q\" \"x\" 42 .List \"q\\\"t\" }}",
                    "x-42-[a b c]-\"q\\\"t\""),
            ok("{{ printf \"%5d|%-5d|%05d|%x|%X|%o|%b|%c|%U|%+d|% d\" 42 42 -42 255 255 8 5 65 65 3 3 }}",
                    "   42|42   |-0042|ff|FF|10|101|A|U+0041|+3| 3"),
            ok("{{ printf \"%.2f|%8.3f|%-8.1f|%e|%g|%.3g|%v|%E|%G\" 3.14159 2.5 2.5 123456.789 0.000012345 1234.5678 1e21 1.5 1e-7 }}",
                    "3.14|   2.500|2.5     |1.234568e+05|1.2345e-05|1.23e+03|1e+21|1.500000E+00|1E-07"),
            ok("{{ printf \"%5s|%-5s|%.2s|%q|%x|%X|%v\" \"ab\" \"ab\" \"abc\" \"a\\nb\" \"hi\" \"hi\" .P }}",
                    "   ab|ab   |ab|\"a\\nb\"|6869|6869|{Bob 42}"),
            ok("{{ printf \"%+v|%v|%d|%s\" .P .Map .Nums .List }}",
                    "{Name:Bob Age:42}|map[a:1 b:2 c:three]|[1 2 3]|[a b c]"),
            ok("{{ printf \"%d\" \"x\" }}|{{ printf \"%d %d\" 1 }}|{{ printf \"%d\" 1 2 }}|{{ printf \"%!\" }}|{{ printf \"%z\" 1 }}|{{ printf \"100%%\" }}",
                    "%!d(string=x)|1 %!d(MISSING)|1%!(EXTRA int=2)|%!!(MISSING)|%!z(int=1)|100%"),
            ok("{{ printf \"%t %v %s\" true false .Nil }}",
                    "true false %!s(<nil>)"),
            ok("{{ printf \"%q %v\" 'x' 'x' }}",
                    "'x' 120"),
            ok("{{ .Name | printf \"%s!\" }}|{{ \"x\" | printf \"%s%s\" \"y\" }}|{{ .List | len }}",
                    "Ada!|yx|3"),
            execError("{{ .Nums | index .Map \"a\" | print }}",
                    1, "error calling index: can't index item of type int"),
            ok("{{ html .Html }}|{{ js .Html }}|{{ urlquery \"a b&c=d/\u00e9\" }}",
                    "&lt;a href=&#34;x&#34;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;|\\u003Ca href\\u003D\\\"x\\\"\\u003ETom \\u0026 \\'Jerry\\'\\u003C/a\\u003E|a+b%26c%3Dd%2F%C3%A9"),
            ok("{{ html 1 \"<\" }}|{{ js \"line\\nnext\" }}",
                    "1&lt;|line\\u000Anext"),
            ok("{{ define \"item\" }}[{{ . }}]{{ end }}{{ range .List }}{{ template \"item\" . }}{{ end }}",
                    "[a][b][c]"),
            ok("{{ define \"x\" }}{{ $ }}{{ end }}{{ template \"x\" .Name }}|{{ template \"x\" }}",
                    "Ada|<no value>"),
            ok("{{ block \"b\" .Name }}default {{ . }}{{ end }}",
                    "default Ada"),
            ok("{{ (index .People 1).Name }} {{ (.P).Age }}",
                    "Eve 42"),
            ok("{{ $p := index .People 0 }}{{ $p.Name }} {{ $.P.Name }}",
                    "Bob Bob"),
            ok("{{ .P.Name }} {{ .P.Age }}",
                    "Bob 42"),
            execError("{{ .P.Nope }}",
                    1, "can't evaluate field Nope in type Person"),
            execError("{{ .Nil.Foo }}",
                    1, "nil pointer evaluating interface {}.Foo"),
            execError("{{ .Missing.Foo }}",
                    1, "nil pointer evaluating interface {}.Foo"),
            execError("{{ index .List 5 }}",
                    1, "error calling index: index out of range: 5"),
            execError("{{ index .Nil 0 }}",
                    1, "error calling index: index of untyped nil"),
            execError("{{ len 3 }}",
                    1, "error calling len: len of type int"),
            execError("{{ .Name \"arg\" }}",
                    1, "Name is not a method but has arguments"),
            execError("{{ \"a\" \"b\" }}",
                    1, "can't give argument to non-function \"a\""),
            execError("{{ nil }}",
                    1, "nil is not a command"),
            execError("{{ range .Name }}x{{ end }}",
                    1, "range can't iterate over Ada"),
            execError("{{ template \"nope\" }}",
                    1, "template \"nope\" not defined"),
            ok("{{ json .Map }}|{{ json .Html }}|{{ json .List }}|{{ json .Big }}|{{ json .Small }}|{{ json 1e21 }}|{{ json .Nil }}|{{ json .P }}",
                    "{\"a\":1,\"b\":2,\"c\":\"three\"}|\"\\u003ca href=\\\"x\\\"\\u003eTom \\u0026 'Jerry'\\u003c/a\\u003e\"|[\"a\",\"b\",\"c\"]|1234567|0.00001|1e+21|null|{\"Name\":\"Bob\",\"Age\":42}"),
            ok("{{ json \"\\u2028\\b\\f\\u0001\" }}",
                    "\"\\u2028\\b\\f\\u0001\""),
            parseError("line1\n{{ if .T }}",
                    2, "unexpected EOF"),
            parseError("{{ .Name }",
                    1, "unexpected \"}\" in operand"),
            parseError("{{ end }}",
                    1, "unexpected {{end}}"),
            parseError("{{ if .T }}x{{ else }}y{{ else }}z{{ end }}",
                    1, "expected end; found {{else}}"),
            parseError("{{ undefinedFunc 1 }}",
                    1, "function \"undefinedFunc\" not defined"),
            parseError("{{ $undefined }}",
                    1, "undefined variable \"$undefined\""),
            parseError("{{ break }}",
                    1, "{{break}} outside {{range}}"),
            parseError("{{ range .List }}{{ $i := . }}{{ end }}{{ $i }}",
                    1, "undefined variable \"$i\""),
            parseError("{{ .Name | \"x\" }}",
                    1, "non executable command in pipeline stage 2"),
            parseError("{{ }}",
                    1, "missing value for command"),
            parseError("{{ \"unterminated }}",
                    1, "unterminated quoted string"),
            parseError("{{/* unclosed }}",
                    1, "unclosed comment"),
            parseError("{{ ( .Name }}",
                    1, "unclosed left paren"),
            parseError("{{ .Name ) }}",
                    1, "unexpected \")\" in command"),
            parseError("{{ 1.2.3 }}",
                    1, "unexpected \".3\" in operand"),
            parseError("{{ 3x }}",
                    1, "bad number syntax: \"3x\""),
            parseError("{{ define \"a\" }}{{ end }}{{ if .T }}{{ define \"b\" }}{{ end }}{{ end }}",
                    1, "unexpected <define> in command"),
            parseError("{{ $x, $y := .List }}",
                    1, "too many declarations in command"),
            parseError("{{ range $i, $e, $z := .List }}{{ end }}",
                    1, "too many declarations in range"),
            ok("{{- range .Nums }}\n  {{- . }}\n{{- end }}",
                    "123"),
            ok("  {{- if .T -}}\n    yes\n  {{- end -}}\n  !",
                    "yes!"),
            ok("{{ if and .T (eq .Name \"Ada\") }}both{{ end }}",
                    "both"),
            ok("{{ printf \"%v %v\" (len .List) (index .Nums 0) }}",
                    "3 1"),
            ok("{{ .T | not }}|{{ 1 | eq 1 }}|{{ \"b\" | lt \"a\" }}",
                    "false|true|true"),
            execError("{{ call .Nil }}",
                    1, "error calling call: call of nil"),
            ok("{{ printf \"%s\" }}",
                    "%!s(MISSING)"),
            ok("{{ printf \"%6.2f|%-7.3e|%+.1f|%08.3f|% .2f\" 3.14159 1234.5 2.25 -3.14159 2.0 }}",
                    "  3.14|1.234e+03|+2.2|-003.142| 2.00"),
            ok("{{ printf \"%.0f %.0f %.0f %.1f\" 0.5 1.5 2.5 0.25 }}",
                    "0 2 2 0.2"),
            ok("{{ printf \"%g %g %g %g %g\" 100000.0 1000000.0 0.0001 0.00001 0.0 }}",
                    "100000 1e+06 0.0001 1e-05 0"),
            ok("{{ printf \"%v|%s|%d\" .Map .Map .Map }}\n",
                    "map[a:1 b:2 c:three]|map[a:%!s(int=1) b:%!s(int=2) c:three]|map[%!d(string=a):1 %!d(string=b):2 %!d(string=c):%!d(string=three)]\n")

    );

    @TestFactory
    Stream<DynamicTest> matchesGo() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.template(), () -> check(c)));
    }

    private static void check(Case c) throws GoTemplateException {
        switch (c) {
            case Ok ok -> assertEquals(ok.expected(), parse(ok.template()).execute(data()));
            case ExecError e -> {
                GoTemplate t = parse(e.template());
                GoTemplateException ex = assertThrows(GoTemplateException.class, () -> t.execute(data()));
                assertTrue(ex.isExecutionError(), ex.getMessage());
                assertEquals(e.line(), ex.line(), ex.getMessage());
                assertEquals(e.detail(), ex.detail());
            }
            case ParseError e -> {
                GoTemplateException ex = assertThrows(GoTemplateException.class, () -> parse(e.template()));
                assertFalse(ex.isExecutionError(), ex.getMessage());
                assertEquals(e.line(), ex.line(), ex.getMessage());
                assertEquals(e.detail(), ex.detail());
            }
        }
    }
}
