package io.mbllm.engine.template.go;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Go text/template's predefined functions except {@code and}/{@code or}, which the executor evaluates
 * lazily: {@code not len index slice eq ne lt le gt ge print printf println html js urlquery call}.
 */
final class Builtins {
    private Builtins() {
    }

    /** Builtins whose Go parameters are reflect.Value: a literal nil argument is an error for them. */
    static final Set<String> VALUE_PARAMS = Set.of("and", "or", "not", "len", "index", "slice", "eq", "ne", "lt",
            "le", "gt", "ge", "call");

    static final Map<String, GoFunction> FUNCTIONS = Map.ofEntries(
            Map.entry("not", args -> {
                arity("not", args, 1, false);
                return !GoValues.truth(args.getFirst());
            }),
            Map.entry("len", args -> {
                arity("len", args, 1, false);
                return len(args.getFirst());
            }),
            Map.entry("index", args -> {
                arity("index", args, 1, true);
                return index(args.getFirst(), args.subList(1, args.size()));
            }),
            Map.entry("slice", args -> {
                arity("slice", args, 1, true);
                return slice(args.getFirst(), args.subList(1, args.size()));
            }),
            Map.entry("eq", args -> {
                arity("eq", args, 1, true);
                return GoValues.eq(args.getFirst(), args.subList(1, args.size()));
            }),
            Map.entry("ne", args -> {
                arity("ne", args, 2, false);
                return !GoValues.eq(args.get(0), Collections.singletonList(args.get(1)));
            }),
            Map.entry("lt", args -> {
                arity("lt", args, 2, false);
                return GoValues.lt(args.get(0), args.get(1));
            }),
            Map.entry("le", args -> {
                arity("le", args, 2, false);
                return GoValues.lt(args.get(0), args.get(1)) || GoValues.eq(args.get(0), Collections.singletonList(args.get(1)));
            }),
            Map.entry("gt", args -> {
                arity("gt", args, 2, false);
                return !GoValues.lt(args.get(0), args.get(1)) && !GoValues.eq(args.get(0), Collections.singletonList(args.get(1)));
            }),
            Map.entry("ge", args -> {
                arity("ge", args, 2, false);
                return !GoValues.lt(args.get(0), args.get(1));
            }),
            Map.entry("print", GoFormat::sprint),
            Map.entry("println", GoFormat::sprintln),
            Map.entry("printf", args -> {
                arity("printf", args, 1, true);
                if (!(args.getFirst() instanceof String format)) {
                    throw new EvalError("wrong type for value; expected string; got "
                            + GoValues.typeName(args.getFirst()));
                }
                return GoFormat.sprintf(format, args.subList(1, args.size()));
            }),
            Map.entry("html", args -> htmlEscape(evalArgs(args))),
            Map.entry("js", args -> jsEscape(evalArgs(args))),
            Map.entry("urlquery", args -> queryEscape(evalArgs(args))),
            Map.entry("call", args -> {
                arity("call", args, 1, true);
                Object fn = args.getFirst();
                if (fn == null) {
                    throw new EvalError("call of nil");
                }
                if (!(fn instanceof GoFunction f)) {
                    throw new EvalError("non-function of type " + GoValues.typeName(fn));
                }
                return f.call(new ArrayList<>(args.subList(1, args.size())));
            }));

    static void arity(String name, List<Object> args, int n, boolean atLeast) {
        if (atLeast ? args.size() < n : args.size() != n) {
            throw new EvalError("wrong number of args for " + name + ": want " + (atLeast ? "at least " : "") + n
                    + " got " + args.size());
        }
    }

    private static long len(Object v) {
        return switch (v) {
            case null -> throw new EvalError("len of nil pointer");
            case String s -> s.getBytes(StandardCharsets.UTF_8).length;
            case Map<?, ?> m -> m.size();
            default -> {
                List<?> l = GoValues.asList(v);
                if (l == null) {
                    throw new EvalError("len of type " + GoValues.typeName(v));
                }
                yield l.size();
            }
        };
    }

    private static long indexArg(Object idx, int cap) {
        if (idx == null) {
            throw new EvalError("cannot index slice/array with nil");
        }
        if (!GoValues.isInteger(idx)) {
            throw new EvalError("cannot index slice/array with type " + GoValues.typeName(idx));
        }
        long x = GoValues.toLong(idx);
        if (x < 0 || x >= cap) {
            throw new EvalError("index out of range: " + x);
        }
        return x;
    }

    private static Object index(Object item, List<Object> indexes) {
        Object v = item;
        for (Object idx : indexes) {
            if (v == null) {
                throw new EvalError("index of untyped nil");
            }
            if (v instanceof Map<?, ?> m) {
                Object key = idx;
                if (key instanceof Integer i) {
                    key = i.longValue();
                }
                if (!m.isEmpty() && key != null && !m.containsKey(key) && !(key instanceof String)) {
                    Object sample = m.keySet().iterator().next();
                    if (sample instanceof String) {
                        throw new EvalError("value has type " + GoValues.typeName(idx) + "; should be string");
                    }
                }
                v = m.get(key);
            } else if (v instanceof String s) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                v = (long) (b[(int) indexArg(idx, b.length)] & 0xff);
            } else {
                List<?> l = GoValues.asList(v);
                if (l == null) {
                    throw new EvalError("can't index item of type " + GoValues.typeName(v));
                }
                v = l.get((int) indexArg(idx, l.size()));
            }
        }
        return v;
    }

    private static Object slice(Object item, List<Object> indexes) {
        if (item == null) {
            throw new EvalError("slice of untyped nil");
        }
        if (indexes.size() > 3) {
            throw new EvalError("too many slice indexes: " + indexes.size());
        }
        int cap;
        byte[] bytes = null;
        List<?> list = null;
        if (item instanceof String s) {
            if (indexes.size() == 3) {
                throw new EvalError("cannot 3-index slice a string");
            }
            bytes = s.getBytes(StandardCharsets.UTF_8);
            cap = bytes.length;
        } else {
            list = GoValues.asList(item);
            if (list == null) {
                throw new EvalError("can't slice item of type " + GoValues.typeName(item));
            }
            cap = list.size();
        }
        int[] idx = {0, cap, cap};
        for (int i = 0; i < indexes.size(); i++) {
            Object o = indexes.get(i);
            if (!GoValues.isInteger(o)) {
                throw new EvalError("cannot index slice/array with type " + GoValues.typeName(o));
            }
            long x = GoValues.toLong(o);
            if (x < 0 || x > cap) {
                throw new EvalError("index out of range: " + x);
            }
            idx[i] = (int) x;
        }
        if (idx[0] > idx[1]) {
            throw new EvalError("invalid slice index: " + idx[0] + " > " + idx[1]);
        }
        if (indexes.size() == 3 && idx[1] > idx[2]) {
            throw new EvalError("invalid slice index: " + idx[1] + " > " + idx[2]);
        }
        if (bytes != null) {
            return new String(Arrays.copyOfRange(bytes, idx[0], idx[1]), StandardCharsets.UTF_8);
        }
        return Collections.unmodifiableList(new ArrayList<>(list.subList(idx[0], idx[1])));
    }

    /** text/template evalArgs: a lone string as is, otherwise fmt.Sprint of the printable values. */
    private static String evalArgs(List<Object> args) {
        if (args.size() == 1 && args.getFirst() instanceof String s) {
            return s;
        }
        List<Object> printable = new ArrayList<>(args.size());
        for (Object a : args) {
            printable.add(a == null ? "<no value>" : a);
        }
        return GoFormat.sprint(printable);
    }

    static String htmlEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case 0 -> sb.append('\uFFFD');
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String jsEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '"' -> sb.append("\\\"");
                case '<' -> sb.append("\\u003C");
                case '>' -> sb.append("\\u003E");
                case '&' -> sb.append("\\u0026");
                case '=' -> sb.append("\\u003D");
                default -> {
                    if (cp < ' ') {
                        sb.append(String.format("\\u%04X", cp));
                    } else if (cp < 0x80 || GoFormat.isPrint(cp)) {
                        sb.appendCodePoint(cp);
                    } else {
                        sb.append(String.format("\\u%04X", cp));
                    }
                }
            }
        }
        return sb.toString();
    }

    static String queryEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }
}
