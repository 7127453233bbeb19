package io.mbllm.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python methods of str, list and dict values ({@code s.strip()}, {@code l.append(x)}, {@code d.items()}). */
final class Methods {
    private Methods() {}

    /** Marker returned when the receiver has no such method. */
    static final Object NO_METHOD = new Object();

    static Object call(Object target, String name, Args a) {
        return switch (target) {
            case String s -> string(s, name, a);
            case Tuple t -> name.equals("index") || name.equals("count") ? list(t, name, a) : NO_METHOD;
            case List<?> l -> {
                @SuppressWarnings("unchecked") List<Object> list = (List<Object>) l;
                yield list(list, name, a);
            }
            case Map<?, ?> m -> {
                @SuppressWarnings("unchecked") Map<Object, Object> map = (Map<Object, Object>) m;
                yield dict(map, name, a);
            }
            default -> NO_METHOD;
        };
    }

    private static String optString(Args a, int i, String name) {
        Object v = a.get(i, name, null);
        return v == null ? null : v instanceof String s ? s : Py.str(v);
    }

    private static boolean affix(String s, Object arg, boolean prefix) {
        if (arg instanceof List<?> l) {
            for (Object o : l) if (affix(s, o, prefix)) return true;
            return false;
        }
        if (!(arg instanceof String x)) throw TemplateFailure.runtime((prefix ? "startswith" : "endswith") + " arg must be str or a tuple of str");
        return prefix ? s.startsWith(x) : s.endsWith(x);
    }

    private static Object string(String s, String name, Args a) {
        return switch (name) {
            case "strip" -> Strings.strip(s, optString(a, 0, "chars"), true, true);
            case "lstrip" -> Strings.strip(s, optString(a, 0, "chars"), true, false);
            case "rstrip" -> Strings.strip(s, optString(a, 0, "chars"), false, true);
            case "split" -> Strings.split(s, optString(a, 0, "sep"), Py.toLong(a.get(1, "maxsplit", -1L)));
            case "rsplit" -> Strings.rsplit(s, optString(a, 0, "sep"), Py.toLong(a.get(1, "maxsplit", -1L)));
            case "splitlines" -> Strings.splitlines(s, Py.truthy(a.get(0, "keepends", false)));
            case "startswith" -> affix(s, a.require(0, "prefix", name), true);
            case "endswith" -> affix(s, a.require(0, "suffix", name), false);
            case "replace" -> Strings.replace(s, Py.str(a.require(0, "old", name)), Py.str(a.require(1, "new", name)),
                    Py.toLong(a.get(2, "count", -1L)));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> Strings.title(s);
            case "capitalize" -> Strings.capitalize(s);
            case "format" -> Strings.format(s, a);
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (Object o : Py.iterate(a.require(0, "iterable", name))) {
                    if (!first) sb.append(s);
                    first = false;
                    if (!(o instanceof String str)) throw TemplateFailure.runtime("join() expects strings, got " + Py.typeName(o));
                    sb.append(str);
                }
                yield sb.toString();
            }
            case "find", "index" -> {
                int i = s.indexOf(Py.str(a.require(0, "sub", name)));
                if (i < 0 && name.equals("index")) throw TemplateFailure.runtime("substring not found");
                yield i < 0 ? -1L : (long) s.codePointCount(0, i);
            }
            case "rfind", "rindex" -> {
                int i = s.lastIndexOf(Py.str(a.require(0, "sub", name)));
                if (i < 0 && name.equals("rindex")) throw TemplateFailure.runtime("substring not found");
                yield i < 0 ? -1L : (long) s.codePointCount(0, i);
            }
            case "count" -> {
                String sub = Py.str(a.require(0, "sub", name));
                if (sub.isEmpty()) yield (long) Py.cpLen(s) + 1;
                long n = 0;
                for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
                yield n;
            }
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(Strings::isSpace);
            case "islower" -> s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT));
            case "isupper" -> s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT));
            case "removeprefix" -> {
                String p = Py.str(a.require(0, "prefix", name));
                yield s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = Py.str(a.require(0, "suffix", name));
                yield s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            }
            case "zfill" -> {
                int w = (int) Py.toLong(a.require(0, "width", name));
                String sign = s.startsWith("-") || s.startsWith("+") ? s.substring(0, 1) : "";
                String body = s.substring(sign.length());
                yield sign + "0".repeat(Math.max(0, w - Py.cpLen(s))) + body;
            }
            case "ljust", "rjust", "center" -> {
                int w = (int) Py.toLong(a.require(0, "width", name));
                String fill = Py.str(a.get(1, "fillchar", " "));
                int pad = Math.max(0, w - Py.cpLen(s));
                yield switch (name) {
                    case "ljust" -> s + fill.repeat(pad);
                    case "rjust" -> fill.repeat(pad) + s;
                    default -> fill.repeat(pad / 2 + (pad & w & 1)) + s + fill.repeat(pad - (pad / 2 + (pad & w & 1)));
                };
            }
            default -> NO_METHOD;
        };
    }

    private static Object list(List<Object> l, String name, Args a) {
        switch (name) {
            case "append" -> {
                l.add(a.require(0, "object", name));
                return null;
            }
            case "extend" -> {
                l.addAll(Py.iterate(a.require(0, "iterable", name)));
                return null;
            }
            case "insert" -> {
                long i = Py.toLong(a.require(0, "index", name));
                if (i < 0) i = Math.max(0, i + l.size());
                l.add((int) Math.min(i, l.size()), a.require(1, "object", name));
                return null;
            }
            case "pop" -> {
                if (l.isEmpty()) throw TemplateFailure.runtime("pop from empty list");
                long i = Py.toLong(a.get(0, "index", -1L));
                if (i < 0) i += l.size();
                if (i < 0 || i >= l.size()) throw TemplateFailure.runtime("pop index out of range");
                return l.remove((int) i);
            }
            case "remove" -> {
                Object x = a.require(0, "value", name);
                for (int i = 0; i < l.size(); i++) {
                    if (Py.eq(l.get(i), x)) {
                        l.remove(i);
                        return null;
                    }
                }
                throw TemplateFailure.runtime("list.remove(x): x not in list");
            }
            case "index" -> {
                Object x = a.require(0, "value", name);
                for (int i = 0; i < l.size(); i++) if (Py.eq(l.get(i), x)) return (long) i;
                throw TemplateFailure.runtime(Py.reprOf(x) + " is not in list");
            }
            case "count" -> {
                Object x = a.require(0, "value", name);
                long n = 0;
                for (Object o : l) if (Py.eq(o, x)) n++;
                return n;
            }
            case "reverse" -> {
                java.util.Collections.reverse(l);
                return null;
            }
            case "copy" -> {
                return new ArrayList<>(l);
            }
            case "clear" -> {
                l.clear();
                return null;
            }
            default -> {
                return NO_METHOD;
            }
        }
    }

    private static Object dict(Map<Object, Object> m, String name, Args a) {
        switch (name) {
            case "get" -> {
                Object k = Py.normalizeKey(a.require(0, "key", name));
                return m.containsKey(k) ? m.get(k) : a.get(1, "default", null);
            }
            case "items" -> {
                List<Object> out = new ArrayList<>(m.size());
                for (Map.Entry<Object, Object> e : m.entrySet()) out.add(new Tuple(e.getKey(), e.getValue()));
                return out;
            }
            case "keys" -> {
                return new ArrayList<>(m.keySet());
            }
            case "values" -> {
                return new ArrayList<>(m.values());
            }
            case "pop" -> {
                Object k = Py.normalizeKey(a.require(0, "key", name));
                if (m.containsKey(k)) return m.remove(k);
                if (a.has(1, "default")) return a.get(1, "default", null);
                throw TemplateFailure.runtime("KeyError: " + Py.reprOf(k));
            }
            case "setdefault" -> {
                Object k = Py.normalizeKey(a.require(0, "key", name));
                if (!m.containsKey(k)) m.put(k, a.get(1, "default", null));
                return m.get(k);
            }
            case "update" -> {
                Object other = a.get(0, "other", null);
                if (other instanceof Map<?, ?> o) for (Map.Entry<?, ?> e : o.entrySet()) m.put(e.getKey(), e.getValue());
                m.putAll(a.named());
                return null;
            }
            case "copy" -> {
                return new java.util.LinkedHashMap<>(m);
            }
            default -> {
                return NO_METHOD;
            }
        }
    }
}
