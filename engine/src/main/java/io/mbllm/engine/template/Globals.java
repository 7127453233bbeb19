package io.mbllm.engine.template;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Built-in global functions: {@code range}, {@code namespace}, {@code dict}, {@code raise_exception}, {@code strftime_now}. */
final class Globals {
    private Globals() {}

    static Object range(Args a) {
        long start = 0, stop, step = 1;
        if (a.size() == 1) stop = Py.toLong(a.positional().get(0));
        else if (a.size() == 2 || a.size() == 3) {
            start = Py.toLong(a.positional().get(0));
            stop = Py.toLong(a.positional().get(1));
            if (a.size() == 3) step = Py.toLong(a.positional().get(2));
        } else throw TemplateFailure.runtime("range expected 1 to 3 arguments, got " + a.size());
        if (step == 0) throw TemplateFailure.runtime("range() arg 3 must not be zero");
        long count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0) : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (count > Limits.MAX_ITEMS) throw TemplateFailure.runtime("range too large (" + count + " items)");
        List<Object> out = new ArrayList<>((int) count);
        for (long i = 0, v = start; i < count; i++, v += step) out.add(v);
        return out;
    }

    static Object namespace(Args a) {
        Namespace ns = new Namespace();
        for (Object p : a.positional()) {
            if (p instanceof Map<?, ?> m) for (Map.Entry<?, ?> e : m.entrySet()) ns.attrs.put(Py.str(e.getKey()), e.getValue());
            else throw TemplateFailure.runtime("namespace() positional argument must be a mapping");
        }
        ns.attrs.putAll(a.named());
        return ns;
    }

    static Object dict(Args a) {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Object p : a.positional()) {
            if (p instanceof Map<?, ?> m) out.putAll(m);
            else if (p instanceof List<?> l) {
                for (Object pair : l) {
                    if (!(pair instanceof List<?> kv) || kv.size() != 2) throw TemplateFailure.runtime("dict() sequence elements must be pairs");
                    out.put(Py.normalizeKey(kv.get(0)), kv.get(1));
                }
            } else throw TemplateFailure.runtime("dict() argument must be a mapping or a list of pairs");
        }
        out.putAll(a.named());
        return out;
    }

    /** Python {@code time.strftime} (C locale) for the common directives. */
    static String strftime(String fmt, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) { sb.append(c); continue; }
            char d = fmt.charAt(++i);
            boolean noPad = false;
            if (d == '-' && i + 1 < fmt.length()) { noPad = true; d = fmt.charAt(++i); }
            int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            switch (d) {
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> pad(sb, t.getDayOfMonth(), 2, noPad);
                case 'e' -> sb.append(noPad ? String.valueOf(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth()));
                case 'm' -> pad(sb, t.getMonthValue(), 2, noPad);
                case 'y' -> pad(sb, t.getYear() % 100, 2, noPad);
                case 'Y' -> sb.append(t.getYear());
                case 'H' -> pad(sb, t.getHour(), 2, noPad);
                case 'I' -> pad(sb, hour12, 2, noPad);
                case 'M' -> pad(sb, t.getMinute(), 2, noPad);
                case 'S' -> pad(sb, t.getSecond(), 2, noPad);
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> pad(sb, t.getDayOfYear(), 3, noPad);
                case 'u' -> sb.append(t.getDayOfWeek().getValue());
                case 'w' -> sb.append(t.getDayOfWeek().getValue() % 7);
                case 'Z' -> sb.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'z' -> sb.append(t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", ""));
                case 'F' -> sb.append(String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
                case 'D', 'x' -> sb.append(String.format("%02d/%02d/%02d", t.getMonthValue(), t.getDayOfMonth(), t.getYear() % 100));
                case 'T', 'X' -> sb.append(String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond()));
                case 'c' -> sb.append(String.format(Locale.ROOT, "%s %s %2d %02d:%02d:%02d %d",
                        t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH), t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH),
                        t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getYear()));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }

    private static void pad(StringBuilder sb, int v, int width, boolean noPad) {
        String s = Integer.toString(v);
        if (!noPad) for (int i = s.length(); i < width; i++) sb.append('0');
        sb.append(s);
    }
}
