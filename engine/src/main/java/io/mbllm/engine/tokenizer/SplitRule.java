package io.mbllm.engine.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of a BPE pre-tokenizer: it refines a segmentation of the text (code point counts, in order) by
 * splitting each segment further; text a rule does not match stays as segments of its own. A pre-tokenizer
 * applies its rules in sequence, as llama.cpp's {@code unicode_regex_split} does.
 */
sealed interface SplitRule permits SplitRule.Gpt2, SplitRule.Llama3, SplitRule.Regex {

    /** Splits every segment of {@code cps} described by {@code segments}; returns the new segment lengths. */
    int[] split(int[] cps, int[] segments);

    /**
     * GPT-2's pattern {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+},
     * matched by hand over llama.cpp's code point classes.
     */
    record Gpt2() implements SplitRule {
        @Override
        public int[] split(int[] cps, int[] segments) {
            IntList out = new IntList(segments.length * 4);
            int start = 0;
            for (int len : segments) {
                Cursor c = new Cursor(cps, start, start + len, out);
                int pos = start;
                int end = start + len;
                while (pos < end) {
                    int cp = cps[pos];
                    int contraction = contraction(cps, pos, end, false);
                    if (contraction > 0) {
                        pos = c.emit(pos + contraction);
                        continue;
                    }
                    int f2 = cp == ' ' ? c.flags(pos + 1) : c.flags(pos);
                    if ((f2 & Unicode.CATEGORIES) == Unicode.LETTER) {
                        if (cp == ' ') pos++;
                        while ((c.flags(pos) & Unicode.CATEGORIES) == Unicode.LETTER) pos++;
                        pos = c.emit(pos);
                        continue;
                    }
                    if ((f2 & Unicode.CATEGORIES) == Unicode.NUMBER) {
                        if (cp == ' ') pos++;
                        while ((c.flags(pos) & Unicode.CATEGORIES) == Unicode.NUMBER) pos++;
                        pos = c.emit(pos);
                        continue;
                    }
                    if (isOther(f2)) {
                        if (cp == ' ') pos++;
                        while (isOther(c.flags(pos))) pos++;
                        pos = c.emit(pos);
                        continue;
                    }
                    int ws = 0;
                    while ((c.flags(pos + ws) & Unicode.WHITESPACE) != 0) ws++;
                    if (ws > 1 && pos + ws < end) {
                        pos = c.emit(pos + ws - 1);
                    } else if (ws > 0) {
                        pos = c.emit(pos + ws);
                    } else {
                        pos = c.emit(pos + 1);
                    }
                }
                start = end;
            }
            return out.toArray();
        }
    }

    /**
     * The Llama-3 pattern {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
     * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}, matched by hand. With {@code maxDigits = 1} it is
     * the Qwen2 pattern ({@code \p{N}} instead of {@code \p{N}{1,3}}).
     */
    record Llama3(int maxDigits) implements SplitRule {
        @Override
        public int[] split(int[] cps, int[] segments) {
            IntList out = new IntList(segments.length * 4);
            int start = 0;
            for (int len : segments) {
                int end = start + len;
                Cursor c = new Cursor(cps, start, end, out);
                int pos = start;
                while (pos < end) {
                    int cp = cps[pos];
                    int f = c.flags(pos);
                    int contraction = contraction(cps, pos, end, true);
                    if (contraction > 0) {
                        pos = c.emit(pos + contraction);
                        continue;
                    }
                    boolean number = (f & Unicode.CATEGORIES) == Unicode.NUMBER;
                    if (cp != '\r' && cp != '\n' && !number) {
                        if ((f & Unicode.CATEGORIES) == Unicode.LETTER
                                || (c.flags(pos + 1) & Unicode.CATEGORIES) == Unicode.LETTER) {
                            pos++;
                            while ((c.flags(pos) & Unicode.CATEGORIES) == Unicode.LETTER) pos++;
                            pos = c.emit(pos);
                            continue;
                        }
                    }
                    if (number) {
                        int chunk = pos;
                        while ((c.flags(pos) & Unicode.CATEGORIES) == Unicode.NUMBER) {
                            pos++;
                            if (pos - chunk >= maxDigits) {
                                c.emit(pos);
                                chunk = pos;
                            }
                        }
                        pos = c.emit(pos);
                        continue;
                    }
                    int f2 = cp == ' ' ? c.flags(pos + 1) : f;
                    // llama.cpp tests the class of the next code point but the presence of the current one
                    if ((f2 & (Unicode.WHITESPACE | Unicode.LETTER | Unicode.NUMBER)) == 0 && f != Unicode.NONE) {
                        if (cp == ' ') pos++;
                        while (isOther(c.flags(pos))) pos++;
                        while (pos < end && (cps[pos] == '\r' || cps[pos] == '\n')) pos++;
                        pos = c.emit(pos);
                        continue;
                    }
                    int ws = 0;
                    int afterLastNewline = -1;
                    while ((c.flags(pos + ws) & Unicode.WHITESPACE) != 0) {
                        int w = cps[pos + ws];
                        if (w == '\r' || w == '\n') afterLastNewline = pos + ws + 1;
                        ws++;
                    }
                    if (afterLastNewline >= 0) {
                        pos = c.emit(afterLastNewline);
                    } else if (ws > 1 && pos + ws < end) {
                        pos = c.emit(pos + ws - 1);
                    } else if (ws > 0) {
                        pos = c.emit(pos + ws);
                    } else {
                        pos = c.emit(pos + 1);
                    }
                }
                start = end;
            }
            return out.toArray();
        }
    }

    /**
     * A general regular expression, run per segment the way llama.cpp runs {@code std::regex}: with
     * {@code collapsed}, every code point above U+007F is first replaced by one stand-in character for its
     * class (whitespace, number, letter, punctuation, mark, symbol, other), and the {@code \p{..}} classes of
     * the pattern are rewritten to those stand-ins plus their ASCII members; without it, only non-ASCII
     * whitespace is replaced (by U+000B) and the pattern sees the real code points.
     */
    record Regex(String source, Pattern pattern, boolean collapsed) implements SplitRule {

        /** A pattern using {@code \p{L}}, {@code \p{N}}, {@code \p{P}}, {@code \p{S}}, {@code \p{M}} classes. */
        static Regex collapsed(String source) {
            return new Regex(source, Pattern.compile(CollapsedClasses.rewrite(source)), true);
        }

        /** A pattern without Unicode classes, in Java syntax, matched against the real code points. */
        static Regex wide(String javaPattern) {
            return new Regex(javaPattern, Pattern.compile(javaPattern), false);
        }

        @Override
        public int[] split(int[] cps, int[] segments) {
            StringBuilder sb = new StringBuilder(cps.length);
            int[] charStart = collapsed ? null : new int[cps.length + 1];
            for (int i = 0; i < cps.length; i++) {
                int cp = cps[i];
                if (collapsed) {
                    sb.append((char) CollapsedClasses.standIn(cp));
                } else {
                    charStart[i] = sb.length();
                    sb.appendCodePoint(cp > 0x7F && Unicode.isWhitespace(cp) ? 0x0B : cp);
                }
            }
            if (!collapsed) charStart[cps.length] = sb.length();
            String text = sb.toString();
            Matcher m = pattern.matcher(text);
            IntList out = new IntList(segments.length * 4);
            int start = 0;
            for (int len : segments) {
                int end = start + len;
                int from = collapsed ? start : charStart[start];
                int to = collapsed ? end : charStart[end];
                m.region(from, to);
                int prev = from;
                while (m.find()) {
                    if (m.end() == m.start()) continue;
                    if (m.start() > prev) out.add(cpCount(text, prev, m.start()));
                    out.add(cpCount(text, m.start(), m.end()));
                    prev = m.end();
                }
                if (prev < to) out.add(cpCount(text, prev, to));
                start = end;
            }
            return out.toArray();
        }

        private int cpCount(String text, int from, int to) {
            return collapsed ? to - from : text.codePointCount(from, to);
        }
    }

    /** Length of an English contraction ('s 't 're 've 'm 'll 'd) at {@code pos}, or 0. */
    private static int contraction(int[] cps, int pos, int end, boolean ignoreCase) {
        if (cps[pos] != '\'' || pos + 1 >= end) return 0;
        int a = ignoreCase ? Unicode.toLower(cps[pos + 1]) : cps[pos + 1];
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        if (pos + 2 >= end) return 0;
        int b = ignoreCase ? Unicode.toLower(cps[pos + 2]) : cps[pos + 2];
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
        return 0;
    }

    /** {@code [^\s\p{L}\p{N}]} for a code point inside the segment. */
    private static boolean isOther(int flags) {
        return flags != Unicode.NONE && (flags & (Unicode.WHITESPACE | Unicode.LETTER | Unicode.NUMBER)) == 0;
    }

    /** Reads code point classes inside one segment (none outside) and emits segment lengths. */
    final class Cursor {
        private final int[] cps;
        private final int begin;
        private final int end;
        private final IntList out;
        private int prevEnd;

        Cursor(int[] cps, int begin, int end, IntList out) {
            this.cps = cps;
            this.begin = begin;
            this.end = end;
            this.out = out;
            this.prevEnd = begin;
        }

        int flags(int pos) {
            return pos >= begin && pos < end ? Unicode.flags(cps[pos]) : Unicode.NONE;
        }

        /** Ends the current piece at {@code pos} (nothing is emitted for an empty piece); returns {@code pos}. */
        int emit(int pos) {
            if (pos > prevEnd) out.add(pos - prevEnd);
            prevEnd = pos;
            return pos;
        }
    }
}
