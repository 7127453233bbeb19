package io.mbllm.server.modelfile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The value type of a parameter, with the parsing rules of a Modelfile {@code PARAMETER} line (Go's
 * {@code strconv}: 32-bit float, 64-bit decimal int, {@code ParseBool}) and of a JSON option value.
 */
public enum ParamType {
    /** 32-bit float; JSON name {@code float32}. */
    FLOAT("float32"),
    /** 64-bit signed integer; JSON name {@code int}. */
    INT("int"),
    /** Boolean: {@code 1 t T TRUE true True 0 f F FALSE false False}. */
    BOOL("bool"),
    /** List of strings ({@code stop}); one Modelfile line adds one item. */
    STRINGS("[]string");

    // Decimal floats only: Go also takes hex floats, inf and nan, which make no sense as options.
    private static final Pattern FLOAT_SYNTAX =
            Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Pattern INT_SYNTAX = Pattern.compile("[+-]?[0-9]+");

    private final String goName;

    ParamType(String goName) {
        this.goName = goName;
    }

    /** Go's name of the type, as used in {@code option "x" must be of type <name>}. */
    public String goName() {
        return goName;
    }

    /**
     * Parses the text of one {@code PARAMETER} line ({@code raw} = the value with quotes removed). A list type
     * yields a one-item list.
     */
    public ParamValue parse(String raw) throws ParameterException {
        switch (this) {
            case FLOAT -> {
                if (FLOAT_SYNTAX.matcher(raw).matches()) {
                    float f = Float.parseFloat(raw);
                    if (Float.isFinite(f)) {
                        return new ParamValue.FloatValue(f);
                    }
                }
                throw new ParameterException("invalid float value [" + raw + "]");
            }
            case INT -> {
                if (INT_SYNTAX.matcher(raw).matches()) {
                    try {
                        return new ParamValue.IntValue(Long.parseLong(raw));
                    } catch (NumberFormatException overflow) {
                        // falls through to the error below
                    }
                }
                throw new ParameterException("invalid int value [" + raw + "]");
            }
            case BOOL -> {
                return switch (raw) {
                    case "1", "t", "T", "TRUE", "true", "True" -> new ParamValue.BoolValue(true);
                    case "0", "f", "F", "FALSE", "false", "False" -> new ParamValue.BoolValue(false);
                    default -> throw new ParameterException("invalid bool value [" + raw + "]");
                };
            }
            default -> {
                return new ParamValue.StringList(List.of(raw));
            }
        }
    }

    /**
     * Converts a decoded JSON value (Jackson/Java: Number, Boolean, String, List) for option {@code name}.
     * Ints accept floats (truncated), as the API contract asks; a single string is taken as a one-item list.
     */
    public ParamValue fromJson(String name, Object v) throws ParameterException {
        switch (this) {
            case FLOAT -> {
                if (v instanceof Number n && Double.isFinite(n.doubleValue())
                        && Float.isFinite(n.floatValue())) {
                    return new ParamValue.FloatValue(n.floatValue());
                }
            }
            case INT -> {
                if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                    return new ParamValue.IntValue(n.longValue());
                }
            }
            case BOOL -> {
                if (v instanceof Boolean b) {
                    return new ParamValue.BoolValue(b);
                }
            }
            default -> {
                if (v instanceof String s) {
                    return new ParamValue.StringList(List.of(s));
                }
                if (v instanceof List<?> list) {
                    List<String> out = new ArrayList<>(list.size());
                    for (Object o : list) {
                        if (!(o instanceof String s)) {
                            throw typeError(name);
                        }
                        out.add(s);
                    }
                    return new ParamValue.StringList(out);
                }
            }
        }
        throw typeError(name);
    }

    private ParameterException typeError(String name) {
        return new ParameterException("option \"" + name + "\" must be of type " + goName);
    }
}
