package io.mbllm.engine.template.go;

import java.math.BigInteger;

/** Go literal decoding: strconv.Unquote for strings and characters, and numeric constants. */
final class Literals {
    private Literals() {
    }

    /** Decodes a Go interpreted ("...") or raw (`...`) string literal. */
    static String unquote(String quoted, int pos) throws Parser.ParseError {
        if (quoted.startsWith("`")) {
            return quoted.substring(1, quoted.length() - 1).replace("\r", "");
        }
        return unescape(quoted.substring(1, quoted.length() - 1), '"', pos);
    }

    private static String unescape(String body, char quote, int pos) throws Parser.ParseError {
        StringBuilder sb = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c == quote) {
                throw new Parser.ParseError(pos, "invalid syntax");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= body.length()) {
                throw new Parser.ParseError(pos, "invalid syntax");
            }
            char e = body.charAt(i++);
            switch (e) {
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case '\\' -> sb.append('\\');
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + n > body.length()) {
                        throw new Parser.ParseError(pos, "invalid syntax");
                    }
                    int v = parseHex(body.substring(i, i + n), pos);
                    i += n;
                    if (e == 'x') {
                        // a single byte; bytes >= 0x80 cannot form valid UTF-8 alone, keep as the code point
                        sb.append((char) v);
                    } else {
                        if (!Character.isValidCodePoint(v) || (v >= 0xD800 && v <= 0xDFFF)) {
                            throw new Parser.ParseError(pos, "invalid syntax");
                        }
                        sb.appendCodePoint(v);
                    }
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > body.length()) {
                        throw new Parser.ParseError(pos, "invalid syntax");
                    }
                    String oct = "" + e + body.charAt(i) + body.charAt(i + 1);
                    i += 2;
                    int v;
                    try {
                        v = Integer.parseInt(oct, 8);
                    } catch (NumberFormatException ex) {
                        throw new Parser.ParseError(pos, "invalid syntax");
                    }
                    if (v > 255) {
                        throw new Parser.ParseError(pos, "invalid syntax");
                    }
                    sb.append((char) v);
                }
                default -> {
                    if (e == quote) {
                        sb.append(e);
                    } else {
                        throw new Parser.ParseError(pos, "invalid syntax");
                    }
                }
            }
        }
        return sb.toString();
    }

    private static int parseHex(String s, int pos) throws Parser.ParseError {
        try {
            long v = Long.parseLong(s, 16);
            if (v > Integer.MAX_VALUE || s.startsWith("+") || s.startsWith("-")) {
                throw new Parser.ParseError(pos, "invalid syntax");
            }
            return (int) v;
        } catch (NumberFormatException ex) {
            throw new Parser.ParseError(pos, "invalid syntax");
        }
    }

    /** Builds the number node for a NUMBER or CHAR_CONSTANT token, as Go's parse.newNumber + idealConstant. */
    static Node.NumberArg number(Token t) throws Parser.ParseError {
        String text = t.text();
        if (t.is(Token.Type.CHAR_CONSTANT)) {
            String body = unescape(text.substring(1, text.length() - 1), '\'', t.pos());
            if (body.codePointCount(0, body.length()) != 1) {
                throw new Parser.ParseError(t.pos(), "malformed character constant: " + text);
            }
            return new Node.NumberArg(t.pos(), text, (long) body.codePointAt(0));
        }
        if (text.endsWith("i")) {
            throw new Parser.ParseError(t.pos(), "complex constants are not supported: " + text);
        }
        String clean = text.replace("_", "");
        BigInteger integer = parseGoInt(clean);
        boolean hexInt = clean.matches("[+-]?0[xX][0-9a-fA-F]+");
        boolean looksFloat = !hexInt && (clean.contains(".") || clean.contains("e") || clean.contains("E")
                || clean.contains("p") || clean.contains("P"));
        if (integer != null && !looksFloat) {
            if (integer.bitLength() > 63) {
                throw new Parser.ParseError(t.pos(), text + " overflows int");
            }
            return new Node.NumberArg(t.pos(), text, integer.longValue());
        }
        try {
            String f = clean;
            if (f.matches("[+-]?0[xX].*") && !f.contains("p") && !f.contains("P")) {
                throw new NumberFormatException();
            }
            double d = Double.parseDouble(f);
            if (Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return new Node.NumberArg(t.pos(), text, d);
        } catch (NumberFormatException ex) {
            throw new Parser.ParseError(t.pos(), "illegal number syntax: " + text);
        }
    }

    /** strconv.ParseInt(s, 0, 64)-style base detection; null when not an integer literal. */
    private static BigInteger parseGoInt(String s) {
        boolean neg = false;
        String body = s;
        if (body.startsWith("+") || body.startsWith("-")) {
            neg = body.startsWith("-");
            body = body.substring(1);
        }
        int radix = 10;
        if (body.length() > 1 && body.charAt(0) == '0') {
            char p = Character.toLowerCase(body.charAt(1));
            if (p == 'x') {
                radix = 16;
                body = body.substring(2);
            } else if (p == 'o') {
                radix = 8;
                body = body.substring(2);
            } else if (p == 'b') {
                radix = 2;
                body = body.substring(2);
            } else {
                radix = 8;
                body = body.substring(1);
            }
        }
        if (body.isEmpty()) {
            return null;
        }
        try {
            BigInteger v = new BigInteger(body, radix);
            return neg ? v.negate() : v;
        } catch (NumberFormatException ex) {
            return null;
        }
    }
}
