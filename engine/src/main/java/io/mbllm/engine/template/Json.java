package io.mbllm.engine.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as Python's {@code json.dumps} writes it (the {@code tojson} filter of Hugging Face chat templates):
 * separators {@code ", "} / {@code ": "} (or {@code ","} / {@code ": "} with an indent), insertion order,
 * non-ASCII kept unless {@code ensure_ascii}; and a small parser for {@code from_json}.
 */
final class Json {
    private Json() {}

    /** Options of one dump; null separators mean Python's defaults. */
    record Style(Integer indent, String itemSep, String keySep, boolean sortKeys, boolean ensureAscii) {
        static final Style DEFAULT = new Style(null, null, null, false, false);
    }

    static String dump(Object v, Style style) {
        StringBuilder sb = new StringBuilder();
        String itemSep = style.itemSep() != null ? style.itemSep() : style.indent() != null ? "," : ", ";
        String keySep = style.keySep() != null ? style.keySep() : ": ";
        write(sb, v, style, itemSep, keySep, 0);
        return sb.toString();
    }

    private static void newline(StringBuilder sb, Style style, int level) {
        if (style.indent() == null) return;
        sb.append('\n');
        sb.append(" ".repeat(Math.max(0, style.indent()) * level));
    }

    private static void write(StringBuilder sb, Object v, Style style, String itemSep, String keySep, int level) {
        if (level > 512) throw TemplateFailure.runtime("tojson: structure nested too deeply");
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Long l -> sb.append(l.longValue());
            case Double d -> {
                if (d.isNaN()) sb.append("NaN");
                else if (d.isInfinite()) sb.append(d > 0 ? "Infinity" : "-Infinity");
                else sb.append(Py.floatRepr(d));
            }
            case String s -> writeString(sb, s, style.ensureAscii());
            case List<?> l -> {
                if (l.isEmpty()) { sb.append("[]"); return; }
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(itemSep);
                    newline(sb, style, level + 1);
                    write(sb, l.get(i), style, itemSep, keySep, level + 1);
                }
                newline(sb, style, level);
                sb.append(']');
            }
            case Map<?, ?> m -> writeMap(sb, m, style, itemSep, keySep, level);
            case Namespace n -> writeMap(sb, n.attrs, style, itemSep, keySep, level);
            case Undefined u -> throw u.error("passed to tojson");
            default -> throw TemplateFailure.runtime("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private static void writeMap(StringBuilder sb, Map<?, ?> m, Style style, String itemSep, String keySep, int level) {
        if (m.isEmpty()) { sb.append("{}"); return; }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
        if (style.sortKeys()) entries.sort(Comparator.comparing(e -> keyString(e.getKey()), Py::compareCodePoints));
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : entries) {
            if (!first) sb.append(itemSep);
            first = false;
            newline(sb, style, level + 1);
            writeString(sb, keyString(e.getKey()), style.ensureAscii());
            sb.append(keySep);
            write(sb, e.getValue(), style, itemSep, keySep, level + 1);
        }
        newline(sb, style, level);
        sb.append('}');
    }

    private static String keyString(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> Py.floatRepr(d);
            default -> throw TemplateFailure.runtime("keys must be str, int, float, bool or None, not " + Py.typeName(k));
        };
    }

    static void writeString(StringBuilder sb, String s, boolean ensureAscii) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    // ---- parsing ----

    static Object parse(String text) {
        Reader r = new Reader(text);
        r.ws();
        Object v = r.value(0);
        r.ws();
        if (r.i != text.length()) throw r.fail("extra data");
        return v;
    }

    private static final class Reader {
        final String s;
        int i;

        Reader(String s) { this.s = s; }

        TemplateFailure fail(String msg) { return TemplateFailure.runtime("invalid JSON: " + msg + " at char " + i); }

        void ws() { while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++; }

        Object value(int depth) {
            if (depth > 512) throw fail("nested too deeply");
            if (i >= s.length()) throw fail("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<Object, Object> m = new LinkedHashMap<>();
                    ws();
                    if (i < s.length() && s.charAt(i) == '}') { i++; return m; }
                    while (true) {
                        ws();
                        if (i >= s.length() || s.charAt(i) != '"') throw fail("expected a key");
                        String k = string();
                        ws();
                        expect(':');
                        ws();
                        m.put(k, value(depth + 1));
                        ws();
                        if (i < s.length() && s.charAt(i) == ',') { i++; continue; }
                        expect('}');
                        return m;
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (i < s.length() && s.charAt(i) == ']') { i++; return l; }
                    while (true) {
                        ws();
                        l.add(value(depth + 1));
                        ws();
                        if (i < s.length() && s.charAt(i) == ',') { i++; continue; }
                        expect(']');
                        return l;
                    }
                }
                case '"' -> { return string(); }
                default -> {
                    if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
                    if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
                    if (s.startsWith("null", i)) { i += 4; return null; }
                    return number();
                }
            }
        }

        void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) throw fail("expected '" + c + "'");
            i++;
        }

        String string() {
            i++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw fail("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return sb.toString();
                if (c != '\\') { sb.append(c); continue; }
                if (i >= s.length()) throw fail("bad escape");
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case '/' -> sb.append('/');
                    case '\\' -> sb.append('\\');
                    case '"' -> sb.append('"');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw fail("bad unicode escape");
                        try {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw fail("bad unicode escape");
                        }
                        i += 4;
                    }
                    default -> throw fail("bad escape");
                }
            }
        }

        Object number() {
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            boolean isFloat = false;
            if (i < s.length() && s.charAt(i) == '.') { isFloat = true; i++; while (i < s.length() && Character.isDigit(s.charAt(i))) i++; }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                isFloat = true;
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            }
            String t = s.substring(start, i);
            if (t.isEmpty() || t.equals("-")) throw fail("unexpected character");
            try {
                if (!isFloat) {
                    try {
                        return Long.parseLong(t);
                    } catch (NumberFormatException big) {
                        return Double.parseDouble(t);
                    }
                }
                return Double.parseDouble(t);
            } catch (NumberFormatException ex) {
                throw fail("bad number");
            }
        }
    }
}
