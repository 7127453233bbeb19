package io.mbllm.engine.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Jinja2 filters used by chat templates ({@code value | name(args)}). */
final class Filters {
    private Filters() {}

    @FunctionalInterface
    interface FilterFn {
        Object apply(Object value, Args args);
    }

    private static final Map<String, FilterFn> FILTERS = new HashMap<>();

    private static void def(FilterFn fn, String... names) {
        for (String n : names) FILTERS.put(n, fn);
    }

    static boolean exists(String name) { return FILTERS.containsKey(name); }

    static Object apply(String name, Object value, Args args) {
        FilterFn fn = FILTERS.get(name);
        if (fn == null) throw TemplateFailure.runtime("unknown filter '" + name + "'");
        return fn.apply(value, args);
    }

    private static String requireString(Object v, String filter) {
        if (v instanceof String s) return s;
        if (v instanceof Undefined) return "";
        throw TemplateFailure.runtime("filter '" + filter + "' expects a string, got " + Py.typeName(v));
    }

    private static Map<?, ?> requireMap(Object v, String filter) {
        if (v instanceof Map<?, ?> m) return m;
        if (v instanceof Undefined u) throw u.error("passed to filter '" + filter + "'");
        throw TemplateFailure.runtime("filter '" + filter + "' expects a mapping, got " + Py.typeName(v));
    }

    /** Jinja2's attribute getter: dotted path, integer parts index sequences. */
    static Object attribute(Object obj, Object attr) {
        if (!(attr instanceof String path)) return Py.getItem(obj, attr);
        Object cur = obj;
        for (String part : path.split("\\.", -1)) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            cur = cur instanceof Undefined ? cur : Py.getItem(cur, key);
        }
        return cur;
    }

    static Json.Style jsonStyle(Args args) {
        Object indent = args.get(0, "indent", null);
        Object seps = args.get(-1, "separators", null);
        String itemSep = null, keySep = null;
        if (seps instanceof List<?> l && l.size() == 2) {
            itemSep = Py.str(l.get(0));
            keySep = Py.str(l.get(1));
        }
        boolean sort = Py.truthy(args.get(-1, "sort_keys", false));
        boolean ascii = Py.truthy(args.get(-1, "ensure_ascii", false));
        Integer ind = indent == null || indent instanceof Undefined ? null : (int) Py.toLong(indent);
        return new Json.Style(ind, itemSep, keySep, sort, ascii);
    }

    private static Object sortKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static List<Object> selectOrReject(Object value, Args args, boolean byAttr, boolean select) {
        List<Object> items = Py.iterate(value);
        List<Object> out = new ArrayList<>();
        int off = byAttr ? 1 : 0;
        Object attr = byAttr ? args.require(0, "attribute", "selectattr") : null;
        String test = args.size() > off ? Py.str(args.positional().get(off)) : null;
        List<Object> testArgs = args.size() > off + 1 ? args.positional().subList(off + 1, args.size()) : List.of();
        for (Object item : items) {
            Object v = byAttr ? attribute(item, attr) : item;
            boolean ok = test == null ? Py.truthy(v) : Tests.apply(test, v, testArgs);
            if (ok == select) out.add(item);
        }
        return out;
    }

    static {
        def((v, a) -> Json.dump(v, jsonStyle(a)), "tojson");
        def((v, a) -> Py.length(v), "length", "count");
        def((v, a) -> {
            Object chars = a.get(0, "chars", null);
            return Strings.strip(requireString(v, "trim"), chars == null ? null : Py.str(chars), true, true);
        }, "trim");
        def((v, a) -> {
            Object dflt = a.get(0, "default_value", "");
            boolean bool = Py.truthy(a.get(1, "boolean", false));
            if (v instanceof Undefined || (bool && !Py.truthy(v))) return dflt;
            return v;
        }, "default", "d");
        def((v, a) -> Py.str(v), "string");
        def((v, a) -> v, "safe");
        def((v, a) -> {
            if (v instanceof Map<?, ?> m) return new ArrayList<Object>(m.keySet());
            return new ArrayList<>(Py.iterate(v));
        }, "list");
        def((v, a) -> {
            if (v instanceof String s) return s.isEmpty() ? new Undefined("first") : Py.getItem(s, 0L);
            List<Object> l = Py.iterate(v);
            return l.isEmpty() ? new Undefined("first") : l.get(0);
        }, "first");
        def((v, a) -> {
            List<Object> l = v instanceof String s ? Py.chars(s) : Py.iterate(v);
            return l.isEmpty() ? new Undefined("last") : l.get(l.size() - 1);
        }, "last");
        def((v, a) -> {
            if (v instanceof Undefined) return new ArrayList<>();
            List<Object> out = new ArrayList<>();
            for (Map.Entry<?, ?> e : requireMap(v, "items").entrySet()) out.add(new Tuple(e.getKey(), e.getValue()));
            return out;
        }, "items");
        def((v, a) -> Py.str(v).toUpperCase(Locale.ROOT), "upper");
        def((v, a) -> Py.str(v).toLowerCase(Locale.ROOT), "lower");
        def((v, a) -> Strings.capitalize(Py.str(v)), "capitalize");
        def((v, a) -> Strings.title(Py.str(v)), "title");
        def((v, a) -> Strings.replace(Py.str(v), Py.str(a.require(0, "old", "replace")), Py.str(a.require(1, "new", "replace")),
                a.has(2, "count") ? Py.toLong(a.get(2, "count", null)) : -1), "replace");
        def((v, a) -> {
            String sep = Py.str(a.get(0, "d", ""));
            Object attr = a.get(1, "attribute", null);
            StringBuilder sb = new StringBuilder();
            boolean first = true;
            for (Object o : Py.iterate(v)) {
                if (!first) sb.append(sep);
                first = false;
                Py.appendStr(sb, attr == null ? o : attribute(o, attr));
            }
            return sb.toString();
        }, "join");
        def((v, a) -> {
            boolean cs = Py.truthy(a.get(0, "case_sensitive", false));
            boolean byValue = "value".equals(a.get(1, "by", "key"));
            boolean reverse = Py.truthy(a.get(2, "reverse", false));
            List<Object> items = new ArrayList<>();
            for (Map.Entry<?, ?> e : requireMap(v, "dictsort").entrySet()) items.add(new Tuple(e.getKey(), e.getValue()));
            Comparator<Object> cmp = (x, y) -> Py.compare(sortKey(((List<?>) x).get(byValue ? 1 : 0), cs),
                    sortKey(((List<?>) y).get(byValue ? 1 : 0), cs));
            items.sort(reverse ? cmp.reversed() : cmp);
            return items;
        }, "dictsort");
        def((v, a) -> selectOrReject(v, a, true, true), "selectattr");
        def((v, a) -> selectOrReject(v, a, true, false), "rejectattr");
        def((v, a) -> selectOrReject(v, a, false, true), "select");
        def((v, a) -> selectOrReject(v, a, false, false), "reject");
        def((v, a) -> {
            List<Object> out = new ArrayList<>();
            if (a.named().containsKey("attribute")) {
                Object attr = a.named().get("attribute");
                boolean hasDefault = a.named().containsKey("default");
                for (Object o : Py.iterate(v)) {
                    Object r = attribute(o, attr);
                    out.add(hasDefault && r instanceof Undefined ? a.named().get("default") : r);
                }
                return out;
            }
            if (a.size() == 0) throw TemplateFailure.runtime("map() needs a filter name or attribute=");
            String filter = Py.str(a.positional().get(0));
            Args rest = new Args(a.positional().subList(1, a.size()), Map.of());
            for (Object o : Py.iterate(v)) out.add(apply(filter, o, rest));
            return out;
        }, "map");
        def((v, a) -> {
            Object w = a.get(0, "width", 4L);
            String indent = w instanceof String s ? s : " ".repeat((int) Math.max(0, Py.toLong(w)));
            boolean first = Py.truthy(a.get(1, "first", false));
            boolean blank = Py.truthy(a.get(2, "blank", false));
            List<Object> lines = Strings.splitlines(Py.str(v) + "\n", false);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                if (i > 0) {
                    sb.append('\n');
                    if (blank || !line.isEmpty()) sb.append(indent);
                }
                sb.append(line);
            }
            return first ? indent + sb : sb.toString();
        }, "indent");
        def((v, a) -> {
            Object dflt = a.get(0, "default", 0L);
            return switch (v) {
                case Long l -> l;
                case Boolean b -> b ? 1L : 0L;
                case Double d -> d.isNaN() || d.isInfinite() ? dflt : (long) d.doubleValue();
                case String s -> {
                    String t = s.strip().replace("_", "");
                    try {
                        yield Long.parseLong(t, (int) Py.toLong(a.get(1, "base", 10L)));
                    } catch (NumberFormatException e) {
                        try {
                            yield (long) Double.parseDouble(t);
                        } catch (NumberFormatException e2) {
                            yield dflt;
                        }
                    }
                }
                default -> dflt;
            };
        }, "int");
        def((v, a) -> {
            Object dflt = a.get(0, "default", 0.0);
            return switch (v) {
                case Long l -> (double) l;
                case Boolean b -> b ? 1.0 : 0.0;
                case Double d -> d;
                case String s -> {
                    try {
                        yield Double.parseDouble(s.strip());
                    } catch (NumberFormatException e) {
                        yield dflt;
                    }
                }
                default -> dflt;
            };
        }, "float");
        def((v, a) -> {
            if (v instanceof Long l) return Math.abs(l);
            if (v instanceof Boolean b) return b ? 1L : 0L;
            return Math.abs(Py.toDouble(v));
        }, "abs");
        def((v, a) -> {
            int precision = (int) Py.toLong(a.get(0, "precision", 0L));
            String method = Py.str(a.get(1, "method", "common"));
            // "common" is Python's round(): half-to-even on the exact binary value
            java.math.RoundingMode mode = switch (method) {
                case "ceil" -> java.math.RoundingMode.CEILING;
                case "floor" -> java.math.RoundingMode.FLOOR;
                default -> java.math.RoundingMode.HALF_EVEN;
            };
            double d = Py.toDouble(v);
            if (Double.isNaN(d) || Double.isInfinite(d)) return d;
            return new java.math.BigDecimal(d).setScale(precision, mode).doubleValue();
        }, "round");
        def((v, a) -> {
            boolean cs = Py.truthy(a.get(0, "case_sensitive", false));
            Object attr = a.get(1, "attribute", null);
            List<Object> out = new ArrayList<>();
            List<Object> seen = new ArrayList<>();
            for (Object o : Py.iterate(v)) {
                Object key = sortKey(attr == null ? o : attribute(o, attr), cs);
                boolean dup = false;
                for (Object s : seen) if (Py.eq(s, key)) { dup = true; break; }
                if (!dup) { seen.add(key); out.add(o); }
            }
            return out;
        }, "unique");
        def((v, a) -> {
            boolean reverse = Py.truthy(a.get(0, "reverse", false));
            boolean cs = Py.truthy(a.get(1, "case_sensitive", false));
            Object attr = a.get(2, "attribute", null);
            List<Object> out = new ArrayList<>(Py.iterate(v));
            Comparator<Object> cmp = (x, y) -> Py.compare(sortKey(attr == null ? x : attribute(x, attr), cs), sortKey(attr == null ? y : attribute(y, attr), cs));
            out.sort(reverse ? cmp.reversed() : cmp);
            return out;
        }, "sort");
        def((v, a) -> minMax(v, a, -1), "min");
        def((v, a) -> minMax(v, a, 1), "max");
        def((v, a) -> {
            Object attr = a.get(0, "attribute", null);
            Object total = a.get(1, "start", 0L);
            for (Object o : Py.iterate(v)) total = Py.add(total, attr == null ? o : attribute(o, attr));
            return total;
        }, "sum");
        def((v, a) -> {
            if (v instanceof String s) return new StringBuilder(s).reverse().toString();
            List<Object> out = new ArrayList<>(Py.iterate(v));
            java.util.Collections.reverse(out);
            return out;
        }, "reverse");
        def((v, a) -> Json.parse(requireString(v, "from_json")), "from_json");
        def((v, a) -> (long) Strings.split(Py.str(v), null, -1).size(), "wordcount");
        def((v, a) -> {
            String s = Py.str(v);
            int width = (int) Py.toLong(a.get(0, "width", 80L));
            int n = Py.cpLen(s);
            if (n >= width) return s;
            int total = width - n;
            int left = total / 2 + (total & width & 1);
            return " ".repeat(left) + s + " ".repeat(total - left);
        }, "center");
        def((v, a) -> {
            String s = Py.str(v);
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> sb.append("&amp;");
                    case '<' -> sb.append("&lt;");
                    case '>' -> sb.append("&gt;");
                    case '"' -> sb.append("&#34;");
                    case '\'' -> sb.append("&#39;");
                    default -> sb.append(c);
                }
            }
            return sb.toString();
        }, "escape", "e", "forceescape");
        def((v, a) -> Strings.percentFormat(Py.str(v), a.named().isEmpty() ? new ArrayList<>(a.positional()) : new LinkedHashMap<>(a.named())), "format");
        def((v, a) -> Py.getAttr(v, Py.str(a.require(0, "name", "attr"))), "attr");
    }

    private static Object minMax(Object v, Args a, int sign) {
        boolean cs = Py.truthy(a.get(0, "case_sensitive", false));
        Object attr = a.get(1, "attribute", null);
        Object best = null;
        Object bestKey = null;
        boolean any = false;
        for (Object o : Py.iterate(v)) {
            Object key = sortKey(attr == null ? o : attribute(o, attr), cs);
            if (!any || Py.compare(key, bestKey) * sign > 0) {
                best = o;
                bestKey = key;
                any = true;
            }
        }
        return any ? best : new Undefined(sign < 0 ? "min" : "max");
    }
}
