package io.mbllm.engine.template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Jinja2 tests ({@code x is name(args)}), with Python type semantics. */
final class Tests {
    private Tests() {}

    @FunctionalInterface
    interface TestFn {
        boolean test(Object value, List<Object> args);
    }

    private static final Map<String, TestFn> TESTS = new HashMap<>();

    private static void def(TestFn fn, String... names) {
        for (String n : names) TESTS.put(n, fn);
    }

    private static Object arg(List<Object> args, String test) {
        if (args.isEmpty()) throw TemplateFailure.runtime("test '" + test + "' needs an argument");
        return args.get(0);
    }

    static {
        def((v, a) -> !(v instanceof Undefined), "defined");
        def((v, a) -> v instanceof Undefined, "undefined");
        def((v, a) -> v == null, "none");
        def((v, a) -> v instanceof String, "string");
        def((v, a) -> v instanceof Long || v instanceof Double || v instanceof Boolean, "number");
        def((v, a) -> v instanceof Long, "integer");
        def((v, a) -> v instanceof Double, "float");
        def((v, a) -> v instanceof Boolean, "boolean");
        def((v, a) -> Boolean.TRUE.equals(v), "true");
        def((v, a) -> Boolean.FALSE.equals(v), "false");
        def((v, a) -> v instanceof Map, "mapping");
        def((v, a) -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Undefined, "iterable");
        def((v, a) -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Undefined, "sequence");
        def((v, a) -> v instanceof JinjaFunction, "callable");
        def((v, a) -> Py.eq(v, arg(a, "equalto")), "equalto", "eq", "==");
        def((v, a) -> !Py.eq(v, arg(a, "ne")), "ne", "!=");
        def((v, a) -> Py.compare(v, arg(a, "lt")) < 0, "lt", "lessthan", "<");
        def((v, a) -> Py.compare(v, arg(a, "le")) <= 0, "le", "<=");
        def((v, a) -> Py.compare(v, arg(a, "gt")) > 0, "gt", "greaterthan", ">");
        def((v, a) -> Py.compare(v, arg(a, "ge")) >= 0, "ge", ">=");
        def((v, a) -> Py.contains(arg(a, "in"), v), "in");
        def((v, a) -> Py.toLong(v) % 2 != 0, "odd");
        def((v, a) -> Py.toLong(v) % 2 == 0, "even");
        def((v, a) -> {
            long d = Py.toLong(arg(a, "divisibleby"));
            if (d == 0) throw TemplateFailure.runtime("divisibleby(0)");
            return Py.toLong(v) % d == 0;
        }, "divisibleby");
        def((v, a) -> {
            Object o = arg(a, "sameas");
            if (v == null || o == null || v instanceof Boolean || o instanceof Boolean) return v == o || (v != null && v.equals(o) && v instanceof Boolean);
            return v == o;
        }, "sameas");
        def((v, a) -> v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT)), "lower");
        def((v, a) -> v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT)), "upper");
        def((v, a) -> false, "escaped");
        def((v, a) -> v instanceof String s && Filters.exists(s), "filter");
        def((v, a) -> v instanceof String s && TESTS.containsKey(s), "test");
    }

    static boolean apply(String name, Object value, List<Object> args) {
        TestFn fn = TESTS.get(name);
        if (fn == null) throw TemplateFailure.runtime("unknown test '" + name + "'");
        return fn.test(value, args);
    }

    static boolean exists(String name) { return TESTS.containsKey(name); }
}
