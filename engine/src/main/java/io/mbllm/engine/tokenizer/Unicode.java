package io.mbllm.engine.tokenizer;

import java.text.Normalizer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Code point classification as llama.cpp's tokenizers see it: one general-category flag per code point
 * (from the Unicode general category, here Java's {@link Character#getType(int)}), plus the Unicode
 * {@code White_Space} property as a separate flag. Java's tables follow a newer Unicode version than
 * llama.cpp's generated ones may; only code points assigned in between can classify differently. Also the permissive UTF-8 decoding llama.cpp applies to
 * tokenizer input (an invalid byte becomes U+FFFD and decoding continues at the next byte).
 */
final class Unicode {
    private Unicode() {}

    static final int UNDEFINED = 0x0001;
    static final int NUMBER = 0x0002;
    static final int LETTER = 0x0004;
    static final int SEPARATOR = 0x0008;
    static final int MARK = 0x0010;
    static final int PUNCTUATION = 0x0020;
    static final int SYMBOL = 0x0040;
    static final int CONTROL = 0x0080;
    static final int CATEGORIES = 0x00FF;
    static final int WHITESPACE = 0x0100;

    /** Returned for positions outside the text: no flag at all. */
    static final int NONE = 0;

    private static final ConcurrentHashMap<Integer, Integer> NFD_FIRST = new ConcurrentHashMap<>();

    /** Category flag, plus {@link #WHITESPACE} for White_Space code points. */
    static int flags(int cp) {
        int f = category(cp);
        return isWhitespace(cp) ? f | WHITESPACE : f;
    }

    static boolean isLetter(int cp) {
        return category(cp) == LETTER;
    }

    static boolean isNumber(int cp) {
        return category(cp) == NUMBER;
    }

    private static int category(int cp) {
        if (cp < 0 || cp > Character.MAX_CODE_POINT) return UNDEFINED;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            default -> UNDEFINED;
        };
    }

    /** The Unicode White_Space property (PropList.txt). */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /** Simple (one-to-one) lowercase mapping. */
    static int toLower(int cp) {
        return Character.toLowerCase(cp);
    }

    /** The first code point of the canonical decomposition (NFD) of {@code cp}; {@code cp} itself when none. */
    static int nfdFirst(int cp) {
        if (cp < 0xC0) return cp;
        return NFD_FIRST.computeIfAbsent(cp, c ->
                Normalizer.normalize(Character.toString(c), Normalizer.Form.NFD).codePointAt(0));
    }

    /** Number of bytes of the UTF-8 sequence introduced by {@code lead} (1 for stray continuation bytes). */
    static int utf8Len(int lead) {
        int hi = (lead & 0xFF) >>> 4;
        if (hi < 12) return 1;
        if (hi < 14) return 2;
        if (hi == 14) return 3;
        return 4;
    }

    /**
     * Decodes a byte string (one char per byte, 0..255) into code points, the way llama.cpp does: structural
     * checks only; an invalid or truncated sequence yields U+FFFD and decoding resumes at the next byte.
     */
    static int[] codepoints(String bytes) {
        int n = bytes.length();
        int[] out = new int[n];
        int count = 0;
        int i = 0;
        while (i < n) {
            int b0 = bytes.charAt(i);
            if ((b0 & 0x80) == 0) {
                out[count++] = b0;
                i++;
                continue;
            }
            int need;
            int cp;
            if ((b0 & 0x40) == 0) { need = -1; cp = 0; }
            else if ((b0 & 0x20) == 0) { need = 1; cp = b0 & 0x1F; }
            else if ((b0 & 0x10) == 0) { need = 2; cp = b0 & 0x0F; }
            else if ((b0 & 0x08) == 0) { need = 3; cp = b0 & 0x07; }
            else { need = -1; cp = 0; }
            boolean ok = need > 0;
            if (ok) {
                for (int k = 1; k <= need; k++) {
                    if (i + k >= n || (bytes.charAt(i + k) & 0xC0) != 0x80) { ok = false; break; }
                    cp = (cp << 6) | (bytes.charAt(i + k) & 0x3F);
                }
            }
            if (ok) {
                out[count++] = cp;
                i += need + 1;
            } else {
                out[count++] = 0xFFFD;
                i++;
            }
        }
        return count == n ? out : java.util.Arrays.copyOf(out, count);
    }

    /** Appends the UTF-8 bytes of {@code cp} to a byte string builder (one char per byte). */
    static void appendUtf8(StringBuilder sb, int cp) {
        if (cp < 0x80) {
            sb.append((char) cp);
        } else if (cp < 0x800) {
            sb.append((char) (0xC0 | (cp >> 6))).append((char) (0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            sb.append((char) (0xE0 | (cp >> 12))).append((char) (0x80 | ((cp >> 6) & 0x3F)))
                    .append((char) (0x80 | (cp & 0x3F)));
        } else {
            sb.append((char) (0xF0 | (cp >> 18))).append((char) (0x80 | ((cp >> 12) & 0x3F)))
                    .append((char) (0x80 | ((cp >> 6) & 0x3F))).append((char) (0x80 | (cp & 0x3F)));
        }
    }
}
