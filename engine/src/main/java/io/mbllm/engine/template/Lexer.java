package io.mbllm.engine.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a template into tokens with the whitespace rules of Hugging Face chat templates: Jinja2 with
 * {@code trim_blocks} (first newline after a block or comment tag is dropped) and {@code lstrip_blocks}
 * (spaces and tabs before a block or comment tag at the start of a line are dropped), the {@code -}
 * markers that strip all whitespace on one side, the {@code +} marker that disables lstrip, {@code raw}
 * blocks; newlines are normalized to {@code \n} and a single trailing newline of the source is removed
 * ({@code keep_trailing_newline=False}).
 */
final class Lexer {
    private static final String[] OPS2 = {"//", "**", "==", "!=", "<=", ">="};
    private static final String OPS1 = "+-*/%~|.,:()[]{}=<>!";

    private final String src;
    private final int[] lineStarts;
    private final List<Token> out = new ArrayList<>();

    private Lexer(String src) {
        this.src = src;
        int count = 1;
        for (int i = 0; i < src.length(); i++) if (src.charAt(i) == '\n') count++;
        lineStarts = new int[count];
        int k = 1;
        for (int i = 0; i < src.length(); i++) if (src.charAt(i) == '\n') lineStarts[k++] = i + 1;
    }

    static List<Token> tokenize(String source) {
        String s = source.indexOf('\r') >= 0 ? source.replace("\r\n", "\n").replace('\r', '\n') : source;
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        Lexer lx = new Lexer(s);
        lx.run();
        return lx.out;
    }

    Loc loc(int offset) {
        int idx = Arrays.binarySearch(lineStarts, offset);
        int line = idx >= 0 ? idx : -idx - 2;
        return new Loc(line + 1, offset - lineStarts[line] + 1);
    }

    private static boolean isSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

    private static int findTagStart(String s, int from) {
        int i = from;
        while (true) {
            int j = s.indexOf('{', i);
            if (j < 0 || j + 1 >= s.length()) return -1;
            char c = s.charAt(j + 1);
            if (c == '{' || c == '%' || c == '#') return j;
            i = j + 1;
        }
    }

    private void run() {
        int pos = 0;
        boolean stripNext = false;   // previous tag ended with '-'
        boolean trimNewline = false; // previous block/comment tag ended plainly (trim_blocks)
        int n = src.length();
        while (pos <= n) {
            int idx = findTagStart(src, pos);
            int end = idx < 0 ? n : idx;
            int textStart = pos;
            int textEnd = end;
            if (idx >= 0) {
                char kind = src.charAt(idx + 1);
                char marker = idx + 2 < n ? src.charAt(idx + 2) : 0;
                if (marker == '-') {
                    while (textEnd > textStart && Character.isWhitespace(src.charAt(textEnd - 1))) textEnd--;
                } else if ((kind == '%' || kind == '#') && marker != '+') {
                    int ls = src.lastIndexOf('\n', idx - 1) + 1;
                    if (ls >= textStart) {
                        boolean blank = true;
                        for (int i = ls; i < idx; i++) if (!isSpaceOrTab(src.charAt(i))) { blank = false; break; }
                        if (blank) textEnd = ls;
                    }
                }
            }
            if (stripNext) {
                while (textStart < textEnd && Character.isWhitespace(src.charAt(textStart))) textStart++;
            } else if (trimNewline && textStart < textEnd && src.charAt(textStart) == '\n') {
                textStart++;
            }
            if (textEnd > textStart) out.add(new Token(Token.Kind.TEXT, src.substring(textStart, textEnd), loc(textStart)));
            stripNext = false;
            trimNewline = false;
            if (idx < 0) break;
            char kind = src.charAt(idx + 1);
            int p = idx + 2;
            if (p < n && (src.charAt(p) == '-' || src.charAt(p) == '+')) p++;
            if (kind == '#') {
                int close = src.indexOf("#}", p);
                if (close < 0) throw TemplateFailure.syntax("unclosed comment", loc(idx));
                if (close - 1 >= p && src.charAt(close - 1) == '-') stripNext = true;
                else trimNewline = true;
                pos = close + 2;
                continue;
            }
            if (kind == '%') {
                int rawEnd = tryRaw(idx, p);
                if (rawEnd >= 0) {
                    pos = rawEnd;
                    stripNext = rawStrip;
                    trimNewline = !rawStrip;
                    continue;
                }
            }
            boolean block = kind == '%';
            out.add(new Token(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VAR_BEGIN, block ? "{%" : "{{", loc(idx)));
            int[] flags = new int[1];
            pos = lexExpression(p, block, flags, idx);
            if (flags[0] == 1) stripNext = true;
            else if (block && flags[0] == 0) trimNewline = true;
        }
        out.add(new Token(Token.Kind.EOF, "", loc(n)));
    }

    private boolean rawStrip;

    /** Handles {@code {% raw %}...{% endraw %}}; returns the offset after the end tag, or -1 when not raw. */
    private int tryRaw(int tagStart, int p) {
        int q = p;
        while (q < src.length() && Character.isWhitespace(src.charAt(q))) q++;
        if (!src.startsWith("raw", q)) return -1;
        q += 3;
        if (q < src.length() && (Character.isLetterOrDigit(src.charAt(q)) || src.charAt(q) == '_')) return -1;
        while (q < src.length() && Character.isWhitespace(src.charAt(q))) q++;
        boolean stripAfterOpen = src.startsWith("-%}", q);
        if (stripAfterOpen) q++;
        if (!src.startsWith("%}", q)) throw TemplateFailure.syntax("malformed raw tag", loc(tagStart));
        int bodyStart = q + 2;
        int search = bodyStart;
        while (true) {
            int t = src.indexOf("{%", search);
            if (t < 0) throw TemplateFailure.syntax("missing endraw for raw block", loc(tagStart));
            int r = t + 2;
            boolean stripBefore = r < src.length() && src.charAt(r) == '-';
            if (stripBefore || (r < src.length() && src.charAt(r) == '+')) r++;
            while (r < src.length() && Character.isWhitespace(src.charAt(r))) r++;
            if (src.startsWith("endraw", r)) {
                r += 6;
                while (r < src.length() && Character.isWhitespace(src.charAt(r))) r++;
                boolean stripAfter = src.startsWith("-%}", r);
                if (stripAfter) r++;
                if (!src.startsWith("%}", r)) throw TemplateFailure.syntax("malformed endraw tag", loc(t));
                int bs = bodyStart;
                int be = t;
                if (stripAfterOpen) while (bs < be && Character.isWhitespace(src.charAt(bs))) bs++;
                if (stripBefore) while (be > bs && Character.isWhitespace(src.charAt(be - 1))) be--;
                if (be > bs) out.add(new Token(Token.Kind.TEXT, src.substring(bs, be), loc(bs)));
                rawStrip = stripAfter;
                return r + 2;
            }
            search = t + 2;
        }
    }

    /**
     * Lexes expression tokens up to the closing delimiter. flags[0]: 0 plain end, 1 '-' end, 2 '+' end.
     * Returns the offset after the closing delimiter.
     */
    private int lexExpression(int p, boolean block, int[] flags, int tagStart) {
        int n = src.length();
        int depth = 0;
        String close = block ? "%}" : "}}";
        while (true) {
            while (p < n && Character.isWhitespace(src.charAt(p))) p++;
            if (p >= n) throw TemplateFailure.syntax("unclosed " + (block ? "block tag '{%'" : "expression '{{'"), loc(tagStart));
            char c = src.charAt(p);
            if (depth == 0 || block) {
                if ((c == '-' || c == '+') && src.startsWith(close, p + 1)) {
                    out.add(new Token(block ? Token.Kind.BLOCK_END : Token.Kind.VAR_END, close, loc(p)));
                    flags[0] = c == '-' ? 1 : 2;
                    return p + 3;
                }
                if (src.startsWith(close, p) && (block || depth == 0)) {
                    out.add(new Token(block ? Token.Kind.BLOCK_END : Token.Kind.VAR_END, close, loc(p)));
                    flags[0] = 0;
                    return p + 2;
                }
            }
            int start = p;
            if (Character.isLetter(c) || c == '_') {
                while (p < n && (Character.isLetterOrDigit(src.charAt(p)) || src.charAt(p) == '_')) p++;
                out.add(new Token(Token.Kind.NAME, src.substring(start, p), loc(start)));
            } else if (Character.isDigit(c)) {
                while (p < n && (Character.isDigit(src.charAt(p)) || src.charAt(p) == '_')) p++;
                boolean isFloat = false;
                if (p + 1 < n && src.charAt(p) == '.' && Character.isDigit(src.charAt(p + 1))) {
                    isFloat = true;
                    p++;
                    while (p < n && (Character.isDigit(src.charAt(p)) || src.charAt(p) == '_')) p++;
                }
                if (p < n && (src.charAt(p) == 'e' || src.charAt(p) == 'E')) {
                    int q = p + 1;
                    if (q < n && (src.charAt(q) == '+' || src.charAt(q) == '-')) q++;
                    if (q < n && Character.isDigit(src.charAt(q))) {
                        isFloat = true;
                        p = q;
                        while (p < n && Character.isDigit(src.charAt(p))) p++;
                    }
                }
                out.add(new Token(isFloat ? Token.Kind.FLOAT : Token.Kind.INT, src.substring(start, p).replace("_", ""), loc(start)));
            } else if (c == '\'' || c == '"') {
                p = lexString(p);
            } else {
                String op = null;
                for (String o : OPS2) if (src.startsWith(o, p)) { op = o; break; }
                if (op == null) {
                    if (OPS1.indexOf(c) < 0) throw TemplateFailure.syntax("unexpected character '" + c + "'", loc(p));
                    op = String.valueOf(c);
                }
                if (op.equals("{") || op.equals("[") || op.equals("(")) depth++;
                if (op.equals("}") || op.equals("]") || op.equals(")")) depth = Math.max(0, depth - 1);
                p += op.length();
                out.add(new Token(Token.Kind.OP, op, loc(start)));
            }
        }
    }

    /** Lexes a quoted string literal with Python escape sequences. */
    private int lexString(int p) {
        char quote = src.charAt(p);
        int start = p;
        p++;
        StringBuilder sb = new StringBuilder();
        int n = src.length();
        while (true) {
            if (p >= n) throw TemplateFailure.syntax("unterminated string literal", loc(start));
            char c = src.charAt(p);
            if (c == quote) { p++; break; }
            if (c == '\\' && p + 1 < n) {
                char e = src.charAt(p + 1);
                p += 2;
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'v' -> sb.append('\u000b');
                    case 'a' -> sb.append('\u0007');
                    case '0' -> sb.append('\0');
                    case '\\' -> sb.append('\\');
                    case '\'' -> sb.append('\'');
                    case '"' -> sb.append('"');
                    case '\n' -> { }
                    case 'x', 'u', 'U' -> {
                        int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        if (p + len > n) throw TemplateFailure.syntax("truncated \\" + e + " escape", loc(p - 2));
                        try {
                            sb.appendCodePoint(Integer.parseInt(src.substring(p, p + len), 16));
                        } catch (IllegalArgumentException ex) {
                            throw TemplateFailure.syntax("bad \\" + e + " escape", loc(p - 2));
                        }
                        p += len;
                    }
                    default -> sb.append('\\').append(e);
                }
                continue;
            }
            sb.append(c);
            p++;
        }
        out.add(new Token(Token.Kind.STRING, sb.toString(), loc(start)));
        return p;
    }
}
