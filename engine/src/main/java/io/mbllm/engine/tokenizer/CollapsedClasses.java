package io.mbllm.engine.tokenizer;

/**
 * The "collapsed text" trick llama.cpp uses to run Unicode-class regexes with a byte-oriented regex engine:
 * ASCII stays as it is, every other code point becomes one stand-in character for its class, and each
 * {@code \p{X}} in the pattern becomes a class holding that stand-in plus the ASCII members of X. The ASCII
 * members are llama.cpp's (its symbol set lacks {@code ~}); matching them exactly keeps the splits identical.
 */
final class CollapsedClasses {
    private CollapsedClasses() {}

    private static final char OTHER = 0xD0;
    private static final char NUMBER = 0xD1;
    private static final char LETTER = 0xD2;
    private static final char PUNCTUATION = 0xD3;
    private static final char MARK = 0xD4;
    private static final char SYMBOL = 0xD5;
    private static final char WHITESPACE = 0x0B;

    /** The stand-in for one code point of the input. */
    static int standIn(int cp) {
        if (cp < 0x80) return cp;
        int f = Unicode.flags(cp);
        if ((f & Unicode.WHITESPACE) != 0) return WHITESPACE;
        return switch (f & Unicode.CATEGORIES) {
            case Unicode.NUMBER -> NUMBER;
            case Unicode.LETTER -> LETTER;
            case Unicode.PUNCTUATION -> PUNCTUATION;
            case Unicode.MARK -> MARK;
            case Unicode.SYMBOL -> SYMBOL;
            default -> OTHER;
        };
    }

    /** Class contents (without brackets, Java syntax) that a {@code \p{..}} name stands for, or null. */
    private static String members(String name) {
        return switch (name) {
            case "N" -> NUMBER + "0-9";
            case "L", "Lu", "Ll", "Lt", "Lm", "Lo" -> LETTER + "A-Za-z";
            case "P" -> PUNCTUATION + "!-#%-*,-/:;?@\\[-\\]_\\{\\}";
            case "M" -> String.valueOf(MARK);
            case "S" -> SYMBOL + "\\$\\+<->\\^`\\|";
            default -> null;
        };
    }

    /** Rewrites the {@code \p{..}} classes of a pattern for matching against collapsed text. */
    static String rewrite(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length() + 32);
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) {
                char next = pattern.charAt(i + 1);
                if (next == 'p' && i + 2 < pattern.length() && pattern.charAt(i + 2) == '{') {
                    int close = pattern.indexOf('}', i + 3);
                    String members = close < 0 ? null : members(pattern.substring(i + 3, close));
                    if (members == null) {
                        throw new IllegalArgumentException("unsupported class in pattern: " + pattern);
                    }
                    out.append(inClass ? members : "[" + members + "]");
                    i = close;
                    continue;
                }
                out.append(ch).append(next);
                i++;
                continue;
            }
            if (ch == '[' && !inClass) inClass = true;
            else if (ch == ']' && inClass) inClass = false;
            else if (ch > 0x7F) throw new IllegalArgumentException("non-ASCII character in collapsed pattern: " + pattern);
            out.append(ch);
        }
        return out.toString();
    }
}
