package io.mbllm.engine.template.go;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Go semantics for Java values: kinds, truthiness, field access and the comparison builtins.
 *
 * <p>Value model: {@code null} is Go nil; {@link String} a string; {@link Boolean} a bool; Byte/Short/Integer/
 * Long/BigInteger an int; Float/Double a float; {@link List} and Java arrays a slice; {@link Map} a
 * {@code map[string]any}; a record a struct whose exported fields are its components ({@code .Role} finds
 * component {@code role} or {@code Role}).
 */
final class GoValues {
    private GoValues() {
    }

    /** Basic kinds for comparisons, as Go's text/template basicKind. */
    enum Kind { INVALID, BOOL, INT, FLOAT, STRING, OTHER }

    static Kind kind(Object v) {
        return switch (v) {
            case null -> Kind.INVALID;
            case Boolean b -> Kind.BOOL;
            case Byte b -> Kind.INT;
            case Short s -> Kind.INT;
            case Integer i -> Kind.INT;
            case Long l -> Kind.INT;
            case BigInteger b -> Kind.INT;
            case Float f -> Kind.FLOAT;
            case Double d -> Kind.FLOAT;
            case String s -> Kind.STRING;
            default -> Kind.OTHER;
        };
    }

    static boolean isInteger(Object v) {
        return kind(v) == Kind.INT;
    }

    /** Go-style type name for error messages. */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "<nil>";
            case String s -> "string";
            case Boolean b -> "bool";
            case Byte b -> "int8";
            case Short s -> "int16";
            case Integer i -> "int";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Float f -> "float32";
            case Double d -> "float64";
            case List<?> l -> "[]interface {}";
            case Map<?, ?> m -> "map[string]interface {}";
            default -> v.getClass().isArray() ? "[]interface {}" : v.getClass().getSimpleName();
        };
    }

    /** Go's isTrue: zero values and empty containers are false; structs are always true. */
    static boolean truth(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case BigInteger b -> b.signum() != 0;
            case Number n -> n.doubleValue() != 0;
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> !v.getClass().isArray() || java.lang.reflect.Array.getLength(v) > 0;
        };
    }

    /** Lists, arrays: the elements; otherwise null. */
    static List<?> asList(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v != null && v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(java.lang.reflect.Array.get(v, i));
            }
            return out;
        }
        return null;
    }

    static long toLong(Object v) {
        if (v instanceof BigInteger b) {
            if (b.bitLength() > 63) {
                throw new EvalError("integer overflow: " + b);
            }
            return b.longValue();
        }
        return ((Number) v).longValue();
    }

    private static final ClassValue<Map<String, Method>> RECORD_FIELDS = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            Map<String, Method> m = new HashMap<>();
            RecordComponent[] comps = type.getRecordComponents();
            if (comps == null) {
                return m;
            }
            for (RecordComponent c : comps) {
                Method acc = c.getAccessor();
                acc.trySetAccessible();
                m.putIfAbsent(c.getName(), acc);
                String name = c.getName();
                String capitalized = Character.toUpperCase(name.charAt(0)) + name.substring(1);
                m.putIfAbsent(capitalized, acc);
            }
            return m;
        }
    };

    /**
     * Evaluates {@code receiver.name}. Missing map keys give null (Ollama's missingkey=zero on
     * {@code map[string]any}); unknown struct fields and fields of nil are errors, as in Go.
     */
    static Object field(Object receiver, String name, boolean hasArgs) {
        switch (receiver) {
            case null -> throw new EvalError("nil pointer evaluating interface {}." + name);
            case Map<?, ?> map -> {
                if (hasArgs) {
                    throw new EvalError(name + " is not a method but has arguments");
                }
                return map.get(name);
            }
            default -> {
                if (receiver.getClass().isRecord()) {
                    Method acc = RECORD_FIELDS.get(receiver.getClass()).get(name);
                    if (acc != null) {
                        if (hasArgs) {
                            throw new EvalError(name + " has arguments but cannot be invoked as function");
                        }
                        try {
                            return acc.invoke(receiver);
                        } catch (IllegalAccessException | InvocationTargetException e) {
                            throw new EvalError("cannot read field " + name + " of type " + typeName(receiver)
                                    + ": " + e);
                        }
                    }
                }
                throw new EvalError("can't evaluate field " + name + " in type " + typeName(receiver));
            }
        }
    }

    /** Go's eq: arg1 equals any of the others. */
    static boolean eq(Object a, List<Object> others) {
        if (others.isEmpty()) {
            throw new EvalError("missing argument for comparison");
        }
        Kind k1 = kind(a);
        for (Object b : others) {
            Kind k2 = kind(b);
            boolean truth;
            if (k1 != k2) {
                if (a != null && b != null) {
                    throw new EvalError("incompatible types for comparison");
                }
                truth = false;
            } else {
                truth = switch (k1) {
                    case BOOL, STRING -> a.equals(b);
                    case INT -> bigInt(a).equals(bigInt(b));
                    case FLOAT -> ((Number) a).doubleValue() == ((Number) b).doubleValue();
                    case INVALID -> true;
                    case OTHER -> {
                        if (!comparable(a) || !comparable(b)) {
                            if (typeName(a).equals(typeName(b))) {
                                throw new EvalError("non-comparable type " + GoFormat.formatValue(b) + ": "
                                        + typeName(b));
                            }
                            throw new EvalError("non-comparable types " + GoFormat.formatValue(a) + ": "
                                    + typeName(a) + ", " + typeName(b) + ": " + GoFormat.formatValue(b));
                        }
                        yield a.equals(b);
                    }
                };
            }
            if (truth) {
                return true;
            }
        }
        return false;
    }

    private static boolean comparable(Object v) {
        return !(v instanceof Collection<?>) && !(v instanceof Map<?, ?>) && !v.getClass().isArray();
    }

    private static BigInteger bigInt(Object v) {
        return v instanceof BigInteger b ? b : BigInteger.valueOf(((Number) v).longValue());
    }

    /** Go's lt: basic kinds only, same kind on both sides. */
    static boolean lt(Object a, Object b) {
        Kind k1 = kind(a);
        Kind k2 = kind(b);
        if (k1 == Kind.INVALID || k1 == Kind.OTHER || k1 == Kind.BOOL
                || k2 == Kind.INVALID || k2 == Kind.OTHER || k2 == Kind.BOOL) {
            throw new EvalError("invalid type for comparison");
        }
        if (k1 != k2) {
            throw new EvalError("incompatible types for comparison");
        }
        return switch (k1) {
            case INT -> bigInt(a).compareTo(bigInt(b)) < 0;
            case FLOAT -> ((Number) a).doubleValue() < ((Number) b).doubleValue();
            default -> compareStrings((String) a, (String) b) < 0;
        };
    }

    /** Byte-wise UTF-8 order, which equals code point order. */
    static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** Keys of a map in Go's sorted order (fmtsort): numbers numerically, strings by code point. */
    static List<Object> sortedKeys(Map<?, ?> map) {
        List<Object> keys = new ArrayList<>(map.keySet());
        keys.sort((x, y) -> {
            if (x instanceof String s && y instanceof String t) {
                return compareStrings(s, t);
            }
            if (x instanceof Number n && y instanceof Number m) {
                return Double.compare(n.doubleValue(), m.doubleValue());
            }
            return compareStrings(String.valueOf(x), String.valueOf(y));
        });
        return keys;
    }
}
