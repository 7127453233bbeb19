package io.mbllm.engine.template.go;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Go's fmt package for template values: default ({@code %v}) formatting, {@code Sprint}, {@code Sprintln}
 * and {@code Sprintf} with flags, width, precision and the verbs {@code v s d q x X o b c U t e E f F g G %}.
 * Errors render in-line the way Go does ({@code %!d(string=x)}, {@code %!v(MISSING)}, {@code %!(EXTRA ...)}).
 */
public final class GoFormat {
    private GoFormat() {
    }

    // ---- default formatting -----------------------------------------------------------------------------

    /** {@code fmt.Sprint(v)} for a single operand ({@code %v}). */
    public static String formatValue(Object v) {
        StringBuilder sb = new StringBuilder();
        appendValue(sb, v, false);
        return sb.toString();
    }

    private static void appendValue(StringBuilder sb, Object v, boolean plus) {
        switch (v) {
            case null -> sb.append("<nil>");
            case GoStringer s -> sb.append(s.goString());
            case String s -> sb.append(s);
            case Boolean b -> sb.append(b);
            case Double d -> sb.append(formatFloat(d, 'g', -1, false));
            case Float f -> sb.append(formatFloat(f, 'g', -1, true));
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append("map[");
                boolean first = true;
                for (Object k : GoValues.sortedKeys(m)) {
                    if (!first) {
                        sb.append(' ');
                    }
                    first = false;
                    appendValue(sb, k, plus);
                    sb.append(':');
                    appendValue(sb, m.get(k), plus);
                }
                sb.append(']');
            }
            default -> {
                List<?> list = GoValues.asList(v);
                if (list != null) {
                    sb.append('[');
                    for (int i = 0; i < list.size(); i++) {
                        if (i > 0) {
                            sb.append(' ');
                        }
                        appendValue(sb, list.get(i), plus);
                    }
                    sb.append(']');
                } else if (v instanceof Record r) {
                    appendRecord(sb, r, plus);
                } else {
                    sb.append(v);
                }
            }
        }
    }

    private static void appendRecord(StringBuilder sb, Record r, boolean plus) {
        sb.append('{');
        var comps = r.getClass().getRecordComponents();
        for (int i = 0; i < comps.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            String name = comps[i].getName();
            if (plus) {
                sb.append(Character.toUpperCase(name.charAt(0))).append(name, 1, name.length()).append(':');
            }
            appendValue(sb, GoValues.field(r, name, false), plus);
        }
        sb.append('}');
    }

    /** {@code fmt.Sprint}: spaces between operands when neither side is a string. */
    public static String sprint(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        boolean prevString = false;
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            boolean isString = a instanceof String;
            if (i > 0 && !isString && !prevString) {
                sb.append(' ');
            }
            appendValue(sb, a, false);
            prevString = isString;
        }
        return sb.toString();
    }

    /** {@code fmt.Sprintln}: spaces between all operands and a trailing newline. */
    public static String sprintln(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            appendValue(sb, args.get(i), false);
        }
        return sb.append('\n').toString();
    }

    // ---- Sprintf --------------------------------------------------------------------------------------

    private static final class Spec {
        boolean minus;
        boolean plus;
        boolean sharp;
        boolean space;
        boolean zero;
        int width = -1;
        int prec = -1;
    }

    /** {@code fmt.Sprintf(format, args...)}. */
    public static String sprintf(String format, List<Object> args) {
        StringBuilder sb = new StringBuilder();
        int argNum = 0;
        int i = 0;
        int n = format.length();
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                i++;
                continue;
            }
            i++;
            Spec f = new Spec();
            while (i < n) {
                char fc = format.charAt(i);
                if (fc == '-') {
                    f.minus = true;
                    f.zero = false;
                } else if (fc == '+') {
                    f.plus = true;
                } else if (fc == '#') {
                    f.sharp = true;
                } else if (fc == ' ') {
                    f.space = true;
                } else if (fc == '0') {
                    f.zero = !f.minus;
                } else {
                    break;
                }
                i++;
            }
            if (i < n && format.charAt(i) == '*') {
                i++;
                if (argNum < args.size() && GoValues.isInteger(args.get(argNum))) {
                    f.width = (int) GoValues.toLong(args.get(argNum++));
                    if (f.width < 0) {
                        f.minus = true;
                        f.width = -f.width;
                    }
                } else {
                    sb.append("%!(BADWIDTH)");
                    argNum++;
                }
            } else {
                int start = i;
                while (i < n && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    f.width = Integer.parseInt(format.substring(start, Math.min(i, start + 6)));
                }
            }
            if (i < n && format.charAt(i) == '.') {
                i++;
                if (i < n && format.charAt(i) == '*') {
                    i++;
                    if (argNum < args.size() && GoValues.isInteger(args.get(argNum))) {
                        f.prec = (int) GoValues.toLong(args.get(argNum++));
                        if (f.prec < 0) {
                            f.prec = -1;
                        }
                    } else {
                        sb.append("%!(BADPREC)");
                        argNum++;
                    }
                } else {
                    int start = i;
                    while (i < n && Character.isDigit(format.charAt(i))) {
                        i++;
                    }
                    f.prec = i > start ? Integer.parseInt(format.substring(start, Math.min(i, start + 6))) : 0;
                }
            }
            if (i >= n) {
                sb.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            if (argNum >= args.size()) {
                sb.append("%!").appendCodePoint(verb).append("(MISSING)");
                continue;
            }
            formatArg(sb, args.get(argNum++), verb, f);
        }
        if (argNum < args.size()) {
            sb.append("%!(EXTRA ");
            for (int k = argNum; k < args.size(); k++) {
                if (k > argNum) {
                    sb.append(", ");
                }
                Object a = args.get(k);
                if (a == null) {
                    sb.append("<nil>");
                } else {
                    sb.append(GoValues.typeName(a)).append('=').append(formatValue(a));
                }
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static void badVerb(StringBuilder sb, int verb, Object arg) {
        sb.append("%!").appendCodePoint(verb).append('(');
        if (arg == null) {
            sb.append("<nil>");
        } else {
            sb.append(GoValues.typeName(arg)).append('=').append(formatValue(arg));
        }
        sb.append(')');
    }

    private static void formatArg(StringBuilder sb, Object arg, int verb, Spec f) {
        if (arg == null) {
            if (verb == 'v') {
                pad(sb, "<nil>", f, false);
            } else {
                badVerb(sb, verb, null);
            }
            return;
        }
        if (arg instanceof GoStringer s && (verb == 'v' || verb == 's' || verb == 'q' || verb == 'x' || verb == 'X')) {
            formatString(sb, s.goString(), verb, f);
            return;
        }
        switch (GoValues.kind(arg)) {
            case BOOL -> {
                if (verb == 'v' || verb == 't') {
                    pad(sb, arg.toString(), f, false);
                } else {
                    badVerb(sb, verb, arg);
                }
            }
            case INT -> formatInt(sb, arg instanceof BigInteger b ? b : BigInteger.valueOf(((Number) arg).longValue()),
                    verb, f, arg);
            case FLOAT -> formatFloatArg(sb, ((Number) arg).doubleValue(), arg instanceof Float, verb, f, arg);
            case STRING -> formatString(sb, (String) arg, verb, f);
            default -> formatComposite(sb, arg, verb, f);
        }
    }

    private static void formatComposite(StringBuilder sb, Object arg, int verb, Spec f) {
        List<?> list = GoValues.asList(arg);
        if (list != null) {
            sb.append('[');
            for (int k = 0; k < list.size(); k++) {
                if (k > 0) {
                    sb.append(' ');
                }
                formatArg(sb, list.get(k), verb, f);
            }
            sb.append(']');
        } else if (arg instanceof Map<?, ?> m) {
            sb.append("map[");
            boolean first = true;
            for (Object k : GoValues.sortedKeys(m)) {
                if (!first) {
                    sb.append(' ');
                }
                first = false;
                formatArg(sb, k, verb, f);
                sb.append(':');
                formatArg(sb, m.get(k), verb, f);
            }
            sb.append(']');
        } else if (arg instanceof Record r && (verb == 'v' || verb == 's')) {
            StringBuilder inner = new StringBuilder();
            appendRecord(inner, r, f.plus);
            pad(sb, inner.toString(), f, false);
        } else if (verb == 'v' || verb == 's') {
            pad(sb, formatValue(arg), f, false);
        } else {
            badVerb(sb, verb, arg);
        }
    }

    private static void formatString(StringBuilder sb, String s, int verb, Spec f) {
        switch (verb) {
            case 'v', 's' -> pad(sb, truncate(s, f.prec), f, false);
            case 'q' -> pad(sb, quote(truncate(s, f.prec)), f, false);
            case 'x', 'X' -> {
                StringBuilder hex = new StringBuilder();
                byte[] bytes = truncate(s, f.prec).getBytes(StandardCharsets.UTF_8);
                for (int k = 0; k < bytes.length; k++) {
                    if (f.space && k > 0) {
                        hex.append(' ');
                    }
                    if (f.sharp && (f.space || k == 0)) {
                        hex.append(verb == 'x' ? "0x" : "0X");
                    }
                    String h = String.format("%02x", bytes[k] & 0xff);
                    hex.append(verb == 'X' ? h.toUpperCase() : h);
                }
                pad(sb, hex.toString(), f, false);
            }
            default -> badVerb(sb, verb, s);
        }
    }

    private static String truncate(String s, int prec) {
        if (prec < 0 || s.codePointCount(0, s.length()) <= prec) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, prec));
    }

    private static void formatInt(StringBuilder sb, BigInteger v, int verb, Spec f, Object arg) {
        String digits;
        String prefix = "";
        switch (verb) {
            case 'v', 'd' -> digits = v.abs().toString();
            case 'b' -> {
                digits = v.abs().toString(2);
                prefix = f.sharp ? "0b" : "";
            }
            case 'o' -> {
                digits = v.abs().toString(8);
                prefix = f.sharp ? "0" : "";
            }
            case 'O' -> {
                digits = v.abs().toString(8);
                prefix = "0o";
            }
            case 'x' -> {
                digits = v.abs().toString(16);
                prefix = f.sharp ? "0x" : "";
            }
            case 'X' -> {
                digits = v.abs().toString(16).toUpperCase();
                prefix = f.sharp ? "0X" : "";
            }
            case 'c' -> {
                pad(sb, runeString(v), f, false);
                return;
            }
            case 'q' -> {
                pad(sb, quoteRune(v), f, false);
                return;
            }
            case 'U' -> {
                String h = v.toString(16).toUpperCase();
                pad(sb, "U+" + "0".repeat(Math.max(0, 4 - h.length())) + h, f, false);
                return;
            }
            case 'e', 'E', 'f', 'F', 'g', 'G' -> {
                badVerb(sb, verb, arg);
                return;
            }
            default -> {
                badVerb(sb, verb, arg);
                return;
            }
        }
        if (f.prec >= 0) {
            if (f.prec == 0 && v.signum() == 0) {
                digits = "";
            } else if (digits.length() < f.prec) {
                digits = "0".repeat(f.prec - digits.length()) + digits;
            }
        }
        String sign = v.signum() < 0 ? "-" : f.plus ? "+" : f.space ? " " : "";
        String body = prefix + digits;
        if (f.zero && !f.minus && f.prec < 0 && f.width > sign.length() + body.length()) {
            body = prefix + "0".repeat(f.width - sign.length() - body.length()) + digits;
        }
        pad(sb, sign + body, f, true);
    }

    private static String runeString(BigInteger v) {
        long cp = v.bitLength() > 31 ? 0xFFFD : v.longValue();
        if (cp < 0 || cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
            cp = 0xFFFD;
        }
        return new String(Character.toChars((int) cp));
    }

    private static String quoteRune(BigInteger v) {
        String r = runeString(v);
        if (r.equals("'")) {
            return "'\\''";
        }
        if (r.equals("\"")) {
            return "'\"'";
        }
        String q = quote(r);
        return "'" + q.substring(1, q.length() - 1) + "'";
    }

    private static void formatFloatArg(StringBuilder sb, double d, boolean f32, int verb, Spec f, Object arg) {
        String s;
        switch (verb) {
            case 'v', 'g', 'G' -> s = formatFloat(d, 'g', f.prec, f32);
            case 'e', 'E' -> s = formatFloat(d, 'e', f.prec < 0 ? 6 : f.prec, f32);
            case 'f', 'F' -> s = formatFloat(d, 'f', f.prec < 0 ? 6 : f.prec, f32);
            default -> {
                badVerb(sb, verb, arg);
                return;
            }
        }
        if (verb == 'E' || verb == 'G') {
            s = s.toUpperCase();
        }
        if (f.plus && !s.startsWith("-") && !s.startsWith("+")) {
            s = "+" + s;
        } else if (f.space && !s.startsWith("-")) {
            s = " " + s;
        }
        if (f.zero && !f.minus && f.width > s.length() && Double.isFinite(d)) {
            int signLen = s.startsWith("-") || s.startsWith("+") || s.startsWith(" ") ? 1 : 0;
            s = s.substring(0, signLen) + "0".repeat(f.width - s.length()) + s.substring(signLen);
        }
        pad(sb, s, f, true);
    }

    private static void pad(StringBuilder sb, String s, Spec f, boolean numeric) {
        int len = s.codePointCount(0, s.length());
        if (f.width <= len) {
            sb.append(s);
            return;
        }
        String fill = (f.zero && !f.minus && !numeric ? "0" : " ").repeat(f.width - len);
        if (f.minus) {
            sb.append(s).append(fill);
        } else {
            sb.append(fill).append(s);
        }
    }

    // ---- floats ---------------------------------------------------------------------------------------

    /** Decimal digits of |v| ("" for zero) and the decimal point position, like strconv's decimal. */
    private record Digits(String d, int dp) {
        int nd() {
            return d.length();
        }

        char at(int i) {
            return i >= 0 && i < d.length() ? d.charAt(i) : '0';
        }
    }

    private static Digits digits(BigDecimal abs) {
        if (abs.signum() == 0) {
            return new Digits("", 0);
        }
        BigDecimal s = abs.stripTrailingZeros();
        String unscaled = s.unscaledValue().toString();
        return new Digits(unscaled, unscaled.length() - s.scale());
    }

    private static Digits shortest(double abs, boolean f32) {
        return digits(new BigDecimal(f32 ? Float.toString((float) abs) : Double.toString(abs)));
    }

    /**
     * strconv.FormatFloat(v, fmt, prec, bitSize) for fmt in {e, f, g}; prec -1 means the shortest
     * representation that round-trips.
     */
    static String formatFloat(double v, char fmt, int prec, boolean f32) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        double abs = Math.abs(v);
        Digits d;
        boolean shortest = prec < 0;
        if (shortest) {
            d = shortest(abs, f32);
            prec = switch (fmt) {
                case 'e' -> Math.max(d.nd() - 1, 0);
                case 'f' -> Math.max(d.nd() - d.dp(), 0);
                default -> d.nd();
            };
        } else {
            BigDecimal exact = new BigDecimal(abs);
            d = switch (fmt) {
                case 'e' -> digits(exact.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN)));
                case 'f' -> digits(exact.setScale(prec, RoundingMode.HALF_EVEN));
                default -> digits(exact.round(new MathContext(prec == 0 ? 1 : prec, RoundingMode.HALF_EVEN)));
            };
            if (fmt == 'g' && prec == 0) {
                prec = 1;
            }
        }
        String body;
        switch (fmt) {
            case 'e' -> body = fmtE(d, prec);
            case 'f' -> body = fmtF(d, prec);
            default -> {
                int eprec = prec;
                if (eprec > d.nd() && d.nd() >= d.dp()) {
                    eprec = d.nd();
                }
                if (shortest) {
                    eprec = 6;
                }
                int exp = d.dp() - 1;
                if (d.nd() == 0) {
                    exp = 0;
                }
                if (exp < -4 || exp >= eprec) {
                    if (prec > d.nd()) {
                        prec = d.nd();
                    }
                    body = fmtE(d, Math.max(prec - 1, 0));
                } else {
                    if (prec > d.dp()) {
                        prec = d.nd();
                    }
                    body = fmtF(d, Math.max(prec - d.dp(), 0));
                }
            }
        }
        return neg ? "-" + body : body;
    }

    private static String fmtE(Digits d, int prec) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.nd() == 0 ? '0' : d.at(0));
        if (prec > 0) {
            sb.append('.');
            for (int i = 1; i <= prec; i++) {
                sb.append(d.at(i));
            }
        }
        int exp = d.nd() == 0 ? 0 : d.dp() - 1;
        sb.append('e').append(exp < 0 ? '-' : '+');
        int a = Math.abs(exp);
        if (a < 10) {
            sb.append('0');
        }
        return sb.append(a).toString();
    }

    private static String fmtF(Digits d, int prec) {
        StringBuilder sb = new StringBuilder();
        if (d.dp() > 0) {
            for (int i = 0; i < d.dp(); i++) {
                sb.append(d.at(i));
            }
        } else {
            sb.append('0');
        }
        if (prec > 0) {
            sb.append('.');
            for (int i = 0; i < prec; i++) {
                sb.append(d.at(d.dp() + i));
            }
        }
        return sb.toString();
    }

    // ---- quoting --------------------------------------------------------------------------------------

    /** Go's unicode.IsPrint approximation: letters, marks, numbers, punctuation, symbols and ASCII space. */
    static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** strconv.Quote: a double-quoted Go string literal. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 0x07 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 0x0b -> sb.append("\\v");
                default -> {
                    if (isPrint(cp)) {
                        sb.appendCodePoint(cp);
                    } else if (cp < ' ' || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (cp < 0x10000) {
                        sb.append(String.format("\\u%04x", cp));
                    } else {
                        sb.append(String.format("\\U%08x", cp));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
