package io.mbllm.engine.template.go;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Go's {@code encoding/json.Marshal} for template values: map keys sorted, struct fields in declaration
 * order, HTML-safe string escaping ({@code <}, {@code >}, {@code &} become {@code \u003c \u003e \u0026};
 * U+2028/U+2029 escaped), floats formatted like Go ({@code 1e+21}, {@code 1e-7}), records without a
 * {@link GoJsonMarshaler} encoded by capitalised component names.
 */
public final class GoJson {
    private GoJson() {
    }

    /** An ordered JSON object, like a Go struct with json tags. Build with {@link #of}. */
    public record Struct(List<Map.Entry<String, Object>> fields) {
        /** Creates a struct from alternating name, value pairs. */
        public static Struct of(Object... nameValues) {
            List<Map.Entry<String, Object>> f = new ArrayList<>();
            for (int i = 0; i < nameValues.length; i += 2) {
                f.add(new java.util.AbstractMap.SimpleImmutableEntry<>((String) nameValues[i], nameValues[i + 1]));
            }
            return new Struct(List.copyOf(f));
        }
    }

    /** A value Go cannot encode (NaN, Inf, unsupported type). */
    public static final class UnsupportedValueException extends Exception {
        private static final long serialVersionUID = 1L;

        UnsupportedValueException(String message) {
            super(message);
        }
    }

    /** Marshals {@code v} the way Go's json.Marshal would. */
    public static String marshal(Object v) throws UnsupportedValueException {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth) throws UnsupportedValueException {
        if (depth > 1000) {
            throw new UnsupportedValueException("json: unsupported value: encountered a cycle");
        }
        switch (v) {
            case null -> sb.append("null");
            case GoJsonMarshaler m -> write(sb, m.toJsonValue(), depth + 1);
            case Struct s -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : s.fields()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    writeString(sb, e.getKey());
                    sb.append(':');
                    write(sb, e.getValue(), depth + 1);
                }
                sb.append('}');
            }
            case String s -> writeString(sb, s);
            case Boolean b -> sb.append(b);
            case Double d -> writeFloat(sb, d, false);
            case Float f -> writeFloat(sb, f, true);
            case Byte b -> sb.append(b);
            case Short s -> sb.append(s);
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case BigInteger b -> sb.append(b);
            case Character c -> sb.append((int) c);
            case Map<?, ?> m -> {
                sb.append('{');
                List<String> keys = new ArrayList<>();
                Map<String, Object> byKey = new java.util.HashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    String k = e.getKey() instanceof String s ? s : String.valueOf(e.getKey());
                    keys.add(k);
                    byKey.put(k, e.getValue());
                }
                keys.sort(GoValues::compareStrings);
                boolean first = true;
                for (String k : keys) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    writeString(sb, k);
                    sb.append(':');
                    write(sb, byKey.get(k), depth + 1);
                }
                sb.append('}');
            }
            case Record r -> {
                sb.append('{');
                var comps = r.getClass().getRecordComponents();
                for (int i = 0; i < comps.length; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    String name = comps[i].getName();
                    writeString(sb, Character.toUpperCase(name.charAt(0)) + name.substring(1));
                    sb.append(':');
                    write(sb, GoValues.field(r, name, false), depth + 1);
                }
                sb.append('}');
            }
            default -> {
                List<?> list = GoValues.asList(v);
                if (list == null) {
                    throw new UnsupportedValueException("json: unsupported type: " + v.getClass().getName());
                }
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(sb, list.get(i), depth + 1);
                }
                sb.append(']');
            }
        }
    }

    private static void writeFloat(StringBuilder sb, double d, boolean f32) throws UnsupportedValueException {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new UnsupportedValueException("json: unsupported value: " + GoFormat.formatFloat(d, 'g', -1, f32));
        }
        double abs = Math.abs(d);
        char fmt = 'f';
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
            fmt = 'e';
        }
        String s = GoFormat.formatFloat(d, fmt, -1, f32);
        if (fmt == 'e') {
            int n = s.length();
            // clean up e-09 to e-9
            if (n >= 4 && s.charAt(n - 4) == 'e' && s.charAt(n - 3) == '-' && s.charAt(n - 2) == '0') {
                s = s.substring(0, n - 2) + s.charAt(n - 1);
            }
        }
        sb.append(s);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Writes a JSON string with Go's default (HTML-safe) escaping. */
    static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\u2028', '\u2029' -> sb.append("\\u202").append(HEX[c & 0xf]);
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        sb.append("\\ufffd");
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
