package io.mbllm.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Interpreter features against reference outputs: each row's expected string was produced by Python Jinja2
 * 3.1.6 configured as Hugging Face configures chat templates ({@code trim_blocks}, {@code lstrip_blocks},
 * loop controls, {@code tojson} = {@code json.dumps} with {@code ensure_ascii=False}). Covers whitespace
 * control, loops and {@code loop.*}, scoping, set/namespace, macros, operators and precedence, Python
 * str()/repr of values, slicing, string/list/dict methods, filters and tests.
 */
class JinjaConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Arguments row(String name, String template, String varsJson, String expected) {
        return Arguments.of(name, template, varsJson, expected);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                row("trim_blocks", "{% if true %}\nA\n{% endif %}\nB", "{}", "A\nB"),
                row("lstrip_blocks", "  {% if true %}\n  X\n  {% endif %}\nY", "{}", "  X\nY"),
                row("dash_left_right", "a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}\n  c", "{}", "abc"),
                row("dash_on_output", "a \n {{- 'b' -}} \n c", "{}", "abc"),
                row("plus_disables_lstrip", "  {%+ if true %}x{% endif %}", "{}", "  x"),
                row("comment_trimmed", "a\n  {# note #}\nb", "{}", "a\nb"),
                row("comment_dash", "a  {#- note -#}  b", "{}", "ab"),
                row("output_not_trimmed", "{{ 'a' }}\nb", "{}", "a\nb"),
                row("trailing_newline_dropped", "x\n", "{}", "x"),
                row("raw_block", "{% raw %}{{ not evaluated }}{% endraw %}", "{}", "{{ not evaluated }}"),
                row("loop_vars", "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }};{% endfor %}", "{}", "10TrueFalse332;21FalseFalse321;32FalseTrue310;"),
                row("loop_prev_next", "{% for x in [1,2,3] %}{{ loop.previtem is defined }}-{{ loop.nextitem | default('none') }};{% endfor %}", "{}", "False-2;True-3;True-none;"),
                row("loop_cycle", "{% for x in range(4) %}{{ loop.cycle('odd','even') }} {% endfor %}", "{}", "odd even odd even "),
                row("loop_else", "{% for x in [] %}x{% else %}empty{% endfor %}", "{}", "empty"),
                row("loop_filter", "{% for x in range(10) if x is odd %}{{ x }}{{ loop.index }},{% endfor %}", "{}", "11,32,53,74,95,"),
                row("loop_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", "{}", "0134"),
                row("loop_dict_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "{\"d\": {\"b\": 1, \"a\": 2}}", "b=1;a=2;"),
                row("loop_dict_keys", "{% for k in d %}{{ k }}{% endfor %}", "{\"d\": {\"x\": 1, \"y\": 2}}", "xy"),
                row("loop_string", "{% for c in 'abc' %}[{{ c }}]{% endfor %}", "{}", "[a][b][c]"),
                row("loop_scope_no_leak", "{% set n = 0 %}{% for x in range(3) %}{% set n = n + x %}{% endfor %}{{ n }}", "{}", "0"),
                row("namespace_leaks", "{% set ns = namespace(n=0) %}{% for x in range(4) %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}", "{}", "6"),
                row("nested_loop", "{% for a in [1,2] %}{% for b in [3,4] %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{% endfor %}", "{}", "131 142 231 242 "),
                row("set_multi", "{% set a, b = [1, 2] %}{{ b }}{{ a }}", "{}", "21"),
                row("set_block", "{% set x %}  hello {{ 'w' }}  {% endset %}[{{ x }}]", "{}", "[  hello w  ]"),
                row("set_block_filter", "{% set x | trim | upper %}  hello  {% endset %}[{{ x }}]", "{}", "[HELLO]"),
                row("filter_block", "{% filter upper %}abc{{ 'd' }}{% endfilter %}", "{}", "ABCD"),
                row("set_in_if_visible", "{% if true %}{% set y = 5 %}{% endif %}{{ y }}", "{}", "5"),
                row("macro_defaults", "{% macro f(a, b='B', c=none) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ f(1) }}|{{ f(1, 2, 3) }}|{{ f(1, c='C') }}", "{}", "1BNone|123|1BC"),
                row("macro_recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * (fact(n - 1) | int) }}{% endif %}{% endmacro %}{{ fact(5) }}", "{}", "120"),
                row("macro_sees_globals", "{% macro g() %}{{ greeting }}{% endmacro %}{{ g() }}", "{\"greeting\": \"hi\"}", "hi"),
                row("macro_varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}", "{}", "1(2, 3){'x': 4}"),
                row("macro_returns_string", "{% macro m() %}ab{% endmacro %}{{ m() | length }}", "{}", "2"),
                row("precedence_concat", "{{ 2 * 3 ~ 4 }}|{{ '1' ~ 2 * 3 }}|{{ 'x' ~ (1 + 2) }}|{{ -2 ** 2 }}|{{ 2 + 3 * 4 }}", "{}", "64|16|x3|4|14"),
                row("not_is", "{{ not x is defined }}|{{ x is not defined }}", "{}", "True|True"),
                row("in_not_in", "{{ 'a' in 'cat' }}{{ 2 in [1,2] }}{{ 'k' in {'k':1} }}{{ 3 not in [1] }}", "{}", "TrueTrueTrueTrue"),
                row("chained_compare", "{{ 1 < 2 < 3 }}{{ 1 < 3 < 2 }}", "{}", "TrueFalse"),
                row("cond_expr", "[{{ 'y' if true else 'n' }}][{{ 'y' if false }}]", "{}", "[y][]"),
                row("and_or_values", "{{ 0 or 'x' }}|{{ 'a' and 'b' }}|{{ none or [] }}|", "{}", "x|b|[]|"),
                row("arith", "{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7.5 % 2 }} {{ 1 + 1.5 }}", "{}", "3.5 3 -4 2 1024 1.5 2.5"),
                row("repeat_concat", "{{ 'ab' * 3 }} {{ [1] * 2 + [3] }}", "{}", "ababab [1, 1, 3]"),
                row("str_of_values", "{{ none }} {{ true }} {{ [1, 'a', none, 1.5] }} {{ {'k': 'v', 'n': none} }} {{ 1.0 }} {{ 0.00001 }} {{ 1e16 }} {{ 1e15 }}", "{}", "None True [1, 'a', None, 1.5] {'k': 'v', 'n': None} 1.0 1e-05 1e+16 1000000000000000.0"),
                row("str_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'a\\nb'] }}", "{}", "[\"it's\", 'say \"hi\"', 'a\\nb']"),
                row("string_literal_escapes", "{{ 'a\\tb\\\\c\\u00e9' }}{{ \"x\" 'y' }}", "{}", "a\tb\\c\u00e9xy"),
                row("literals", "{{ True }}{{ False }}{{ None }}{{ (1, 2) | length }}", "{}", "TrueFalseNone2"),
                row("slices", "{{ 'hello'[::-1] }} {{ 'hello'[1:] }} {{ 'hello'[:-1] }} {{ [1,2,3,4][1:3] }} {{ [1,2,3,4][::2] }} {{ 'hello'[-1] }} {{ [1,2,3][5] is defined }}", "{}", "olleh ello hell [2, 3] [1, 3] o False"),
                row("slice_unicode", "{{ s[1:] }}{{ s | length }}", "{\"s\": \"\\ud83d\\ude00ab\\u00e9\"}", "ab\u00e94"),
                row("strip_methods", "[{{ '  a  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '  a '.lstrip() }}][{{ ' a  '.rstrip() }}][{{ '\\n\\ta b\\n'.strip() }}]", "{}", "[a][a][a ][ a][a b]"),
                row("split_methods", "{{ ' a  b c '.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'a b'.split(none, 1) }}", "{}", "['a', 'b', 'c'] ['a', 'b', '', 'c'] ['a', 'b,c'] ['a,b', 'c'] ['a', 'b']"),
                row("affix_methods", "{{ 'hello'.startswith('he') }}{{ 'hello'.endswith('lo') }}{{ 'hello'.startswith(('x', 'h')) }}{{ 'hello'.endswith('x') }}", "{}", "TrueTrueTrueFalse"),
                row("case_methods", "{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }} {{ 'it\\'s x-y'.title() }}", "{}", "Hello World Hello ABab It'S X-Y"),
                row("misc_methods", "{{ 'a-b-c'.replace('-', '+') }} {{ 'a-b-c'.replace('-', '+', 1) }} {{ '{} and {}'.format(1, 'x') }} {{ '{0}{0}'.format('z') }} {{ ', '.join(['a','b']) }} {{ 'banana'.find('n') }} {{ 'banana'.count('a') }} {{ 'a\\nb\\r\\nc'.splitlines() }}", "{}", "a+b+c a+b-c 1 and x zz a, b 2 3 ['a', 'b', 'c']"),
                row("dict_methods", "{{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d.get('z') }} {{ d.keys() | list }} {{ d.values() | list }} {{ d['a'] }} {{ d.a }} {{ d.missing is defined }}", "{\"d\": {\"a\": 1, \"b\": 2}}", "1 dflt None ['a', 'b'] [1, 2] 1 1 False"),
                row("list_methods", "{% set l = [1] %}{% set _ = l.append(2) %}{% set _ = l.extend([3, 4]) %}{{ l }} {{ l.pop() }} {{ l.pop(0) }} {{ l }} {{ l.index(3) }}", "{}", "[1, 2, 3, 4] 4 1 [2, 3] 1"),
                row("dict_update", "{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}) %}{{ d }}", "{}", "{'a': 1, 'b': 2}"),
                row("tojson_basic", "{{ {'a': 1, 'b': [true, none, 1.5, 'x\"y'], 'c': {}} | tojson }}", "{}", "{\"a\": 1, \"b\": [true, null, 1.5, \"x\\\"y\"], \"c\": {}}"),
                row("tojson_indent", "{{ {'a': [1, 2], 'b': {'c': 'd'}, 'e': []} | tojson(indent=2) }}", "{}", "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {\n    \"c\": \"d\"\n  },\n  \"e\": []\n}"),
                row("tojson_options", "{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ [1, {'a': 2}] | tojson(separators=(',', ':')) }}", "{}", "{\"a\": 2, \"b\": 1} [1,{\"a\":2}]"),
                row("tojson_escaping", "{{ s | tojson }} {{ s | tojson(ensure_ascii=true) }}", "{\"s\": \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 \\u00e9 \\u4e2d \\ud83d\\ude00 </script> &'\"}", "\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 \u00e9 \u4e2d \ud83d\ude00 </script> &'\" \"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 \\u00e9 \\u4e2d \\ud83d\\ude00 </script> &'\""),
                row("tojson_numbers", "{{ [1, -2, 3.0, 0.1, 1e-7, 12345678901234567890.0, 2.5e20] | tojson }}", "{}", "[1, -2, 3.0, 0.1, 1e-07, 1.2345678901234567e+19, 2.5e+20]"),
                row("length_count", "{{ 'abc' | length }}{{ [1,2] | count }}{{ {'a':1} | length }}", "{}", "321"),
                row("trim_filter", "[{{ '  a b  ' | trim }}][{{ 'xxaxx' | trim('x') }}]", "{}", "[a b][a]"),
                row("default_filter", "{{ x | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ 0 | d('z', boolean=true) }} {{ 'v' | default('d') }}", "{}", "d None d z v"),
                row("join_filter", "{{ [1, 2, 3] | join('-') }} {{ users | join(', ', attribute='name') }} {{ 'abc' | join('.') }}", "{\"users\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", "1-2-3 a, b a.b.c"),
                row("select_filters", "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ msgs | rejectattr('role', 'equalto', 'user') | list | length }} {{ [1, 2, 3, 4] | select('even') | list }} {{ [0, 1, none, 'a'] | select | list }} {{ [1, 2, 3] | reject('odd') | list }}", "{\"msgs\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}, {\"role\": \"user\", \"content\": \"c\"}]}", "['a', 'c'] 1 [2, 4] [1, 'a'] [2]"),
                row("map_filter", "{{ ['a', 'B'] | map('upper') | list }} {{ items | map(attribute='x', default=0) | list }} {{ ['1', '2'] | map('int') | sum }}", "{\"items\": [{\"x\": 1}, {}]}", "['A', 'B'] [1, 0] 3"),
                row("dictsort_filter", "{{ d | dictsort }} {{ d | dictsort(reverse=true) | first }} {{ d | dictsort(by='value') | map('last') | list }}", "{\"d\": {\"b\": 1, \"A\": 3, \"c\": 2}}", "[('A', 3), ('b', 1), ('c', 2)] ('c', 2) [1, 2, 3]"),
                row("sort_unique", "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [3, 1, 2] | sort(reverse=true) }} {{ items | sort(attribute='n') | map(attribute='n') | list }} {{ ['a', 'A', 'b', 'a'] | unique | list }}", "{\"items\": [{\"n\": 2}, {\"n\": 1}]}", "[1, 2, 3] ['A', 'b', 'c'] ['A', 'b', 'c'] [3, 2, 1] [1, 2] ['a', 'b']"),
                row("first_last_items", "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ {'a': 1} | items | list }} {{ 'ab' | list }} {{ {'k': 1, 'j': 2} | list }}", "{}", "1 3 a [('a', 1)] ['a', 'b'] ['k', 'j']"),
                row("indent_filter", "[{{ 'a\\nb\\n\\nc' | indent(2) }}][{{ 'a\\nb' | indent(2, true) }}][{{ 'a\\n\\nb' | indent(2, blank=true) }}][{{ 'a\\nb\\n' | indent }}]", "{}", "[a\n  b\n\n  c][  a\n  b][a\n  \n  b][a\n    b\n]"),
                row("round_half_even", "{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 1.5 | round(method='floor') }}", "{}", "2.0 4.0 2.67 1.0"),
                row("number_filters", "{{ '42' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ 2 | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(method='ceil') }} {{ [1, 2, 3] | sum }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }}", "{}", "42 0 7 3 2.5 2.0 3 2.57 2.0 3.0 6 1 3"),
                row("string_filters", "{{ 'hello world' | title }} {{ 'hELLO' | capitalize }} {{ 'a-b' | replace('-', '_') }} {{ 'ab' | upper }}{{ 'AB' | lower }} {{ 123 | string }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }} {{ 'a b  c' | wordcount }} [{{ 'ab' | center(6) }}]", "{}", "Hello World Hello a_b ABab 123 cba [2, 1] 3 [  ab  ]"),
                row("escape_filter", "{{ '<a href=\"x\">&\\'</a>' | e }}", "{}", "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;"),
                row("safe_filter", "{{ '<b>' | safe }}", "{}", "<b>"),
                row("format_filter", "{{ '%s-%d' | format('a', 3) }} {{ '%s=%s' % ('k', 'v') }} {{ '%05.1f|%-4s|' % (3.14159, 'ab') }}", "{}", "a-3 k=v 003.1|ab  |"),
                row("type_tests", "{{ 'a' is string }}{{ 1 is number }}{{ 1 is integer }}{{ 1.0 is float }}{{ true is boolean }}{{ {} is mapping }}{{ [] is iterable }}{{ 'a' is iterable }}{{ [] is sequence }}{{ none is none }}{{ 1 is string }}{{ [] is mapping }}", "{}", "TrueTrueTrueTrueTrueTrueTrueTrueTrueTrueFalseFalse"),
                row("value_tests", "{{ 'a' is equalto 'a' }}{{ 3 is divisibleby 3 }}{{ 4 is divisibleby(3) }}{{ 3 is odd }}{{ 4 is even }}{{ true is true }}{{ 1 is true }}{{ false is false }}{{ none is sameas none }}{{ 2 is in [1, 2] }}{{ 3 is gt 2 }}{{ 'abc' is lower }}{{ 'ABC' is upper }}", "{}", "TrueTrueFalseTrueTrueTrueFalseTrueTrueTrueTrueTrueTrue"),
                row("defined_tests", "{{ x is defined }}{{ x is undefined }}{{ d.k is defined }}{{ d.z is defined }}{{ d['z'] is undefined }}", "{\"d\": {\"k\": null}}", "FalseTrueTrueFalseTrue")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    @SuppressWarnings("unchecked")
    void rendersLikeJinja2(String name, String template, String varsJson, String expected) throws Exception {
        Map<String, Object> vars = JSON.readValue(varsJson, Map.class);
        assertEquals(expected, ChatTemplate.compile(template).render(vars), name);
    }
}
