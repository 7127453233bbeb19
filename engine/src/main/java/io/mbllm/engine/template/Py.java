package io.mbllm.engine.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics for template values. Representation: none = {@code null}, bool = Boolean,
 * int = Long, float = Double, str = String, list and tuple = List, dict = LinkedHashMap (insertion order),
 * plus {@link Undefined}, {@link Namespace}, {@link LoopContext} and {@link JinjaFunction}.
 */
final class Py {
    private Py() {}

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Tuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "undefined";
            case Namespace n -> "namespace";
            case LoopContext l -> "loop";
            case JinjaFunction f -> "function";
            default -> v.getClass().getSimpleName();
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    /** Python {@code str(v)}, with undefined printing as the empty string (Jinja2). */
    static String str(Object v) {
        if (v instanceof String s) return s;
        StringBuilder sb = new StringBuilder();
        appendStr(sb, v);
        return sb.toString();
    }

    static void appendStr(StringBuilder sb, Object v) {
        switch (v) {
            case null -> sb.append("None");
            case String s -> sb.append(s);
            case Boolean b -> sb.append(b ? "True" : "False");
            case Long l -> sb.append(l.longValue());
            case Double d -> sb.append(floatRepr(d));
            case Undefined u -> { }
            case List<?> l -> appendRepr(sb, l);
            case Map<?, ?> m -> appendRepr(sb, m);
            case Namespace n -> sb.append("<Namespace ").append(reprOf(n.attrs)).append('>');
            case LoopContext l -> sb.append("<LoopContext>");
            case JinjaFunction f -> sb.append("<function>");
            default -> sb.append(v);
        }
    }

    static String reprOf(Object v) {
        StringBuilder sb = new StringBuilder();
        appendRepr(sb, v);
        return sb.toString();
    }

    static void appendRepr(StringBuilder sb, Object v) {
        switch (v) {
            case String s -> appendStringRepr(sb, s);
            case Tuple t -> {
                sb.append('(');
                for (int i = 0; i < t.size(); i++) {
                    if (i > 0) sb.append(", ");
                    appendRepr(sb, t.get(i));
                }
                sb.append(t.size() == 1 ? ",)" : ")");
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(", ");
                    appendRepr(sb, l.get(i));
                }
                sb.append(']');
            }
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(", ");
                    first = false;
                    appendRepr(sb, e.getKey());
                    sb.append(": ");
                    appendRepr(sb, e.getValue());
                }
                sb.append('}');
            }
            case Undefined u -> sb.append("Undefined");
            case null, default -> appendStr(sb, v);
        }
    }

    private static void appendStringRepr(StringBuilder sb, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == quote || c == '\\') sb.append('\\').append(c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (c == '\t') sb.append("\\t");
            else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        sb.append(quote);
    }

    /** Python {@code repr(float)}: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        StringBuilder sb = new StringBuilder();
        if (d < 0) sb.append('-');
        if (exp >= -4 && exp < 16) {
            if (exp >= 0) {
                if (digits.length() <= exp + 1) {
                    sb.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
                } else {
                    sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
                }
            } else {
                sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) sb.append('0');
            sb.append(a);
        }
        return sb.toString();
    }

    // ---- numbers ----

    static boolean isNumber(Object v) { return v instanceof Long || v instanceof Double || v instanceof Boolean; }

    private static boolean isIntLike(Object v) { return v instanceof Long || v instanceof Boolean; }

    static long toLong(Object v) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case Double d -> (long) d.doubleValue();
            default -> throw TemplateFailure.runtime("expected an integer, got " + typeName(v));
        };
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case Double d -> d;
            default -> throw TemplateFailure.runtime("expected a number, got " + typeName(v));
        };
    }

    private static TemplateFailure unsupported(String op, Object a, Object b) {
        if (a instanceof Undefined u) return u.error("operand of '" + op + "'");
        if (b instanceof Undefined u) return u.error("operand of '" + op + "'");
        return TemplateFailure.runtime("unsupported operand types for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static Object add(Object a, Object b) {
        if (isIntLike(a) && isIntLike(b)) {
            try {
                return Math.addExact(toLong(a), toLong(b));
            } catch (ArithmeticException e) {
                throw TemplateFailure.runtime("integer overflow");
            }
        }
        if (isNumber(a) && isNumber(b)) return toDouble(a) + toDouble(b);
        if (a instanceof String x && b instanceof String y) return x + y;
        if ((a instanceof String || a instanceof Undefined) && (b instanceof String || b instanceof Undefined || b instanceof Map || b instanceof List)
                || (b instanceof String && (a instanceof Map || a instanceof List))) {
            // llama.cpp's engine concatenates when one side is a string: undefined counts as "", containers as their repr
            return str(a) + str(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> out = new ArrayList<>(x.size() + y.size());
            out.addAll(x);
            out.addAll(y);
            return out;
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        if (isIntLike(a) && isIntLike(b)) {
            try {
                return Math.subtractExact(toLong(a), toLong(b));
            } catch (ArithmeticException e) {
                throw TemplateFailure.runtime("integer overflow");
            }
        }
        if (isNumber(a) && isNumber(b)) return toDouble(a) - toDouble(b);
        throw unsupported("-", a, b);
    }

    static Object mul(Object a, Object b) {
        if (isIntLike(a) && isIntLike(b)) {
            try {
                return Math.multiplyExact(toLong(a), toLong(b));
            } catch (ArithmeticException e) {
                throw TemplateFailure.runtime("integer overflow");
            }
        }
        if (isNumber(a) && isNumber(b)) return toDouble(a) * toDouble(b);
        if (a instanceof String s && isIntLike(b)) return repeat(s, toLong(b));
        if (b instanceof String s && isIntLike(a)) return repeat(s, toLong(a));
        if (a instanceof List<?> l && isIntLike(b)) return repeatList(l, toLong(b));
        if (b instanceof List<?> l && isIntLike(a)) return repeatList(l, toLong(a));
        throw unsupported("*", a, b);
    }

    private static String repeat(String s, long n) {
        if (n <= 0) return "";
        if (s.length() * n > Limits.MAX_STRING) throw TemplateFailure.runtime("string repetition too large");
        return s.repeat((int) n);
    }

    private static List<Object> repeatList(List<?> l, long n) {
        if (n <= 0) return new ArrayList<>();
        if (l.size() * n > Limits.MAX_ITEMS) throw TemplateFailure.runtime("list repetition too large");
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) out.addAll(l);
        return out;
    }

    static Object div(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            double y = toDouble(b);
            if (y == 0) throw TemplateFailure.runtime("division by zero");
            return toDouble(a) / y;
        }
        throw unsupported("/", a, b);
    }

    static Object floorDiv(Object a, Object b) {
        if (isIntLike(a) && isIntLike(b)) {
            long y = toLong(b);
            if (y == 0) throw TemplateFailure.runtime("integer division by zero");
            return Math.floorDiv(toLong(a), y);
        }
        if (isNumber(a) && isNumber(b)) {
            double y = toDouble(b);
            if (y == 0) throw TemplateFailure.runtime("float floor division by zero");
            return Math.floor(toDouble(a) / y);
        }
        throw unsupported("//", a, b);
    }

    static Object mod(Object a, Object b) {
        if (a instanceof String fmt) return Strings.percentFormat(fmt, b);
        if (isIntLike(a) && isIntLike(b)) {
            long y = toLong(b);
            if (y == 0) throw TemplateFailure.runtime("integer modulo by zero");
            return Math.floorMod(toLong(a), y);
        }
        if (isNumber(a) && isNumber(b)) {
            double x = toDouble(a), y = toDouble(b);
            if (y == 0) throw TemplateFailure.runtime("float modulo by zero");
            double r = x % y;
            if (r != 0 && (r < 0) != (y < 0)) r += y;
            return r;
        }
        throw unsupported("%", a, b);
    }

    static Object pow(Object a, Object b) {
        if (isIntLike(a) && isIntLike(b) && toLong(b) >= 0) {
            long base = toLong(a), e = toLong(b), r = 1;
            try {
                for (long i = 0; i < e; i++) {
                    r = Math.multiplyExact(r, base);
                    if (r == 0 || r == 1) break;
                }
            } catch (ArithmeticException ex) {
                throw TemplateFailure.runtime("integer overflow");
            }
            return r;
        }
        if (isNumber(a) && isNumber(b)) return Math.pow(toDouble(a), toDouble(b));
        throw unsupported("**", a, b);
    }

    static Object neg(Object a) {
        if (a instanceof Long l) {
            if (l == Long.MIN_VALUE) throw TemplateFailure.runtime("integer overflow");
            return -l;
        }
        if (a instanceof Boolean b) return b ? -1L : 0L;
        if (a instanceof Double d) return -d;
        if (a instanceof Undefined u) throw u.error("operand of unary '-'");
        throw TemplateFailure.runtime("bad operand type for unary -: '" + typeName(a) + "'");
    }

    // ---- comparison ----

    static boolean eq(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (isNumber(a) && isNumber(b)) {
            if (isIntLike(a) && isIntLike(b)) return toLong(a) == toLong(b);
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String x && b instanceof String y) return x.equals(y);
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!eq(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) return true;
        return false;
    }

    static int compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            if (isIntLike(a) && isIntLike(b)) return Long.compare(toLong(a), toLong(b));
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) return compareCodePoints(x, y);
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) return compare(x.get(i), y.get(i));
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) throw u.error("compared");
        if (b instanceof Undefined u) throw u.error("compared");
        throw TemplateFailure.runtime("'<' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static int compareCodePoints(String x, String y) {
        int i = 0, j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i), b = y.codePointAt(j);
            if (a != b) return Integer.compare(a, b);
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    static boolean contains(Object container, Object item) {
        return switch (container) {
            case String s -> {
                if (!(item instanceof String x)) throw TemplateFailure.runtime("'in <string>' requires string as left operand, not " + typeName(item));
                yield s.contains(x);
            }
            case List<?> l -> {
                for (Object o : l) if (eq(o, item)) yield true;
                yield false;
            }
            case Map<?, ?> m -> m.containsKey(normalizeKey(item));
            case Namespace n -> item instanceof String s && n.attrs.containsKey(s);
            case Undefined u -> false;
            case null, default -> throw TemplateFailure.runtime("argument of type '" + typeName(container) + "' is not iterable");
        };
    }

    /** Dict keys: booleans and integral floats hash like ints in Python; we store ints as Long. */
    static Object normalizeKey(Object k) {
        if (k instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return (long) d.doubleValue();
        return k;
    }

    // ---- containers ----

    static int cpLen(String s) { return s.codePointCount(0, s.length()); }

    static long length(Object v) {
        return switch (v) {
            case String s -> cpLen(s);
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case Namespace n -> n.attrs.size();
            case Undefined u -> 0;
            case null, default -> throw TemplateFailure.runtime("object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** The elements a for loop visits: list items, dict keys, string characters; undefined is empty. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case List<?> l -> {
                @SuppressWarnings("unchecked") List<Object> r = (List<Object>) l;
                yield r;
            }
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> chars(s);
            case Undefined u -> List.of();
            case null -> List.of();
            default -> throw TemplateFailure.runtime("'" + typeName(v) + "' object is not iterable");
        };
    }

    static List<Object> chars(String s) {
        List<Object> out = new ArrayList<>(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            out.add(s.substring(i, i + n));
            i += n;
        }
        return out;
    }

    static Object getAttr(Object obj, String name) {
        return switch (obj) {
            case Map<?, ?> m -> {
                Object v = m.get(name);
                yield v != null || m.containsKey(name) ? v : new Undefined(name);
            }
            case Namespace n -> n.attrs.containsKey(name) ? n.attrs.get(name) : new Undefined(name);
            case LoopContext l -> l.attr(name);
            default -> new Undefined(name);
        };
    }

    static Object getItem(Object obj, Object key) {
        switch (obj) {
            case Map<?, ?> m -> {
                Object k = normalizeKey(key);
                Object v = m.get(k);
                return v != null || m.containsKey(k) ? v : new Undefined(Py.str(key));
            }
            case List<?> l -> {
                if (!isIntLike(key)) return new Undefined(str(key));
                long i = toLong(key);
                if (i < 0) i += l.size();
                return i >= 0 && i < l.size() ? l.get((int) i) : new Undefined("[" + key + "]");
            }
            case String s -> {
                if (!isIntLike(key)) return new Undefined(str(key));
                long i = toLong(key);
                int n = cpLen(s);
                if (i < 0) i += n;
                if (i < 0 || i >= n) return new Undefined("[" + key + "]");
                int off = s.offsetByCodePoints(0, (int) i);
                return s.substring(off, s.offsetByCodePoints(off, 1));
            }
            case Namespace n -> {
                return key instanceof String k && n.attrs.containsKey(k) ? n.attrs.get(k) : new Undefined(str(key));
            }
            case LoopContext l -> {
                return key instanceof String k ? l.attr(k) : new Undefined(str(key));
            }
            case null, default -> {
                return new Undefined(str(key));
            }
        }
    }

    static Object slice(Object obj, Object start, Object stop, Object step) {
        long st = step == null ? 1 : toLong(step);
        if (st == 0) throw TemplateFailure.runtime("slice step cannot be zero");
        List<Object> items;
        boolean isString = obj instanceof String;
        if (obj instanceof String s) items = chars(s);
        else if (obj instanceof List<?> l) {
            @SuppressWarnings("unchecked") List<Object> r = (List<Object>) l;
            items = r;
        } else if (obj instanceof Undefined u) throw u.error("sliced");
        else throw TemplateFailure.runtime("'" + typeName(obj) + "' object is not subscriptable");
        int n = items.size();
        long lo, hi;
        if (st > 0) {
            lo = start == null ? 0 : clampIndex(toLong(start), n, 0, n);
            hi = stop == null ? n : clampIndex(toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clampIndex(toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clampIndex(toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        if (st > 0) for (long i = lo; i < hi; i += st) out.add(items.get((int) i));
        else for (long i = lo; i > hi; i += st) out.add(items.get((int) i));
        if (isString) {
            StringBuilder sb = new StringBuilder();
            for (Object o : out) sb.append((String) o);
            return sb.toString();
        }
        return obj instanceof Tuple ? Tuple.of(out) : out;
    }

    private static long clampIndex(long i, int n, long min, long max) {
        if (i < 0) i += n;
        return Math.max(min, Math.min(max, i));
    }

    // ---- conversion of caller values ----

    /** Deep-copies a caller-supplied value into template values (so templates can mutate their copies). */
    static Object fromJava(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> (double) f;
            case java.math.BigInteger bi -> {
                if (bi.bitLength() > 63) throw new IllegalArgumentException("integer too large for a template: " + bi);
                yield bi.longValue();
            }
            case BigDecimal bd -> bd.doubleValue();
            case CharSequence cs -> cs.toString();
            case Character c -> String.valueOf(c);
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.put(normalizeKey(fromJava(e.getKey())), fromJava(e.getValue()));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                for (Object o : c) out.add(fromJava(o));
                yield out;
            }
            case Object[] arr -> {
                List<Object> out = new ArrayList<>(arr.length);
                for (Object o : arr) out.add(fromJava(o));
                yield out;
            }
            case Iterable<?> it -> {
                List<Object> out = new ArrayList<>();
                for (Iterator<?> i = it.iterator(); i.hasNext(); ) out.add(fromJava(i.next()));
                yield out;
            }
            case Undefined u -> u;
            case JinjaFunction f -> f;
            default -> throw new IllegalArgumentException("unsupported template value of type " + v.getClass().getName());
        };
    }
}
