package io.mbllm.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python {@code str} operations used by templates (strip, split, title, format...). */
final class Strings {
    private Strings() {}

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f
                || c == 0x205f || c == 0x3000;
    }

    private static boolean strippable(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0 || (Character.isSupplementaryCodePoint(c) && chars.contains(Character.toString(c)));
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0, end = s.length();
        if (left) {
            while (start < end) {
                int c = s.codePointAt(start);
                if (!strippable(c, chars)) break;
                start += Character.charCount(c);
            }
        }
        if (right) {
            while (end > start) {
                int c = s.codePointBefore(end);
                if (!strippable(c, chars)) break;
                end -= Character.charCount(c);
            }
        }
        return s.substring(start, end);
    }

    /** Python {@code str.split(sep, maxsplit)}; sep null splits on runs of whitespace. */
    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (maxsplit >= 0 && out.size() >= maxsplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw TemplateFailure.runtime("empty separator");
        int i = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int j = s.indexOf(sep, i);
            if (j < 0) break;
            out.add(s.substring(i, j));
            i = j + sep.length();
        }
        out.add(s.substring(i));
        return out;
    }

    /** Python {@code str.rsplit(sep, maxsplit)}. */
    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) return split(s, sep, -1);
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int end = s.length();
            while (true) {
                while (end > 0 && isSpace(s.charAt(end - 1))) end--;
                if (end <= 0) break;
                if (out.size() >= maxsplit) {
                    out.add(strip(s.substring(0, end), null, true, false));
                    break;
                }
                int j = end;
                while (j > 0 && !isSpace(s.charAt(j - 1))) j--;
                out.add(s.substring(j, end));
                end = j;
            }
            java.util.Collections.reverse(out);
            return out;
        }
        if (sep.isEmpty()) throw TemplateFailure.runtime("empty separator");
        int end = s.length();
        while (out.size() < maxsplit) {
            int j = s.lastIndexOf(sep, end - sep.length());
            if (j < 0) break;
            out.add(s.substring(j + sep.length(), end));
            end = j;
        }
        out.add(s.substring(0, end));
        java.util.Collections.reverse(out);
        return out;
    }

    static List<Object> splitlines(String s, boolean keepends) {
        List<Object> out = new ArrayList<>();
        int i = 0, start = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int brk = 0;
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') brk = 2;
            else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029) brk = 1;
            if (brk > 0) {
                out.add(s.substring(start, keepends ? i + brk : i));
                i += brk;
                start = i;
            } else {
                i++;
            }
        }
        if (start < n) out.add(s.substring(start));
        return out;
    }

    /** Python {@code str.title()}: uppercase after any non-letter, lowercase otherwise. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isLetter(c)) {
                sb.appendCodePoint(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
                prevCased = true;
            } else {
                sb.appendCodePoint(c);
                prevCased = false;
            }
        }
        return sb.toString();
    }

    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int c = s.codePointAt(0);
        int n = Character.charCount(c);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(c)).append(s.substring(n).toLowerCase(java.util.Locale.ROOT)).toString();
    }

    static String replace(String s, String old, String neu, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder sb = new StringBuilder(neu);
                for (Object ch : Py.chars(s)) sb.append((String) ch).append(neu);
                return sb.toString();
            }
            return s.replace(old, neu);
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        long done = 0;
        while (done < count) {
            int j = s.indexOf(old, i);
            if (j < 0 || old.isEmpty()) break;
            sb.append(s, i, j).append(neu);
            i = j + old.length();
            done++;
        }
        return sb.append(s.substring(i)).toString();
    }

    /** Python {@code str.format} for {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    static String format(String fmt, Args args) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c == '{') {
                if (i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') { sb.append('{'); i++; continue; }
                int close = fmt.indexOf('}', i);
                if (close < 0) throw TemplateFailure.runtime("single '{' encountered in format string");
                String field = fmt.substring(i + 1, close);
                int colon = field.indexOf(':');
                if (colon >= 0) field = field.substring(0, colon);
                Object v;
                if (field.isEmpty()) v = argAt(args, auto++);
                else if (field.chars().allMatch(Character::isDigit)) v = argAt(args, Integer.parseInt(field));
                else if (args.named().containsKey(field)) v = args.named().get(field);
                else throw TemplateFailure.runtime("format field '" + field + "' not given");
                Py.appendStr(sb, v);
                i = close;
            } else if (c == '}') {
                if (i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') i++;
                sb.append('}');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Object argAt(Args args, int i) {
        if (i >= args.size()) throw TemplateFailure.runtime("format index " + i + " out of range");
        return args.positional().get(i);
    }

    /** Python printf-style {@code fmt % value} for %s %r %d %i %f %x %% (with width/precision). */
    static String percentFormat(String fmt, Object value) {
        List<?> values = value instanceof List<?> l ? l : List.of(value == null ? NONE : value);
        Map<?, ?> mapping = value instanceof Map<?, ?> m ? m : null;
        StringBuilder sb = new StringBuilder();
        int vi = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') { sb.append(c); continue; }
            int j = i + 1;
            if (j >= fmt.length()) throw TemplateFailure.runtime("incomplete format");
            if (fmt.charAt(j) == '%') { sb.append('%'); i = j; continue; }
            Object v;
            if (fmt.charAt(j) == '(' && mapping != null) {
                int close = fmt.indexOf(')', j);
                if (close < 0) throw TemplateFailure.runtime("incomplete format key");
                v = mapping.get(fmt.substring(j + 1, close));
                j = close + 1;
            } else {
                if (vi >= values.size()) throw TemplateFailure.runtime("not enough arguments for format string");
                v = values.get(vi++);
                if (v == NONE) v = null;
            }
            int specStart = j;
            while (j < fmt.length() && "-+ 0#.123456789".indexOf(fmt.charAt(j)) >= 0) j++;
            if (j >= fmt.length()) throw TemplateFailure.runtime("incomplete format");
            String flags = fmt.substring(specStart, j);
            char conv = fmt.charAt(j);
            String body = switch (conv) {
                case 's' -> Py.str(v);
                case 'r' -> Py.reprOf(v);
                case 'd', 'i' -> Long.toString(Py.toLong(v));
                case 'f', 'F', 'e', 'g' -> String.format(java.util.Locale.ROOT, "%" + (flags.contains(".") ? flags.substring(flags.indexOf('.')) : ".6") + conv, Py.toDouble(v));
                case 'x' -> Long.toHexString(Py.toLong(v));
                default -> throw TemplateFailure.runtime("unsupported format character '" + conv + "'");
            };
            String widthPart = flags.contains(".") ? flags.substring(0, flags.indexOf('.')) : flags;
            boolean leftAlign = widthPart.contains("-");
            boolean zero = widthPart.startsWith("0");
            String digits = widthPart.replaceAll("[^0-9]", "");
            if (conv == 's' && flags.contains(".")) {
                int prec = Integer.parseInt("0" + flags.substring(flags.indexOf('.') + 1));
                if (body.length() > prec) body = body.substring(0, prec);
            }
            if (!digits.isEmpty()) {
                int width = Integer.parseInt(digits.startsWith("0") && digits.length() > 1 ? digits.substring(1) : digits);
                while (body.length() < width) body = leftAlign ? body + " " : (zero ? "0" : " ") + body;
            }
            sb.append(body);
            i = j;
        }
        if (mapping == null && vi < values.size()) throw TemplateFailure.runtime("not all arguments converted during string formatting");
        return sb.toString();
    }

    private static final Object NONE = new Object();
}
