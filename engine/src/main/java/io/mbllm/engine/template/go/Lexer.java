package io.mbllm.engine.template.go;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits template source into {@link Token}s, following the state machine of Go's
 * text/template/parse lexer: text, {@code {{ }}} actions with {@code -} trim markers,
 * comments {@code /* *}{@code /}, and the tokens inside actions.
 */
final class Lexer {
    private static final String LEFT = "{{";
    private static final String RIGHT = "}}";
    private static final Map<String, Token.Type> KEYWORDS = Map.ofEntries(
            Map.entry("block", Token.Type.BLOCK), Map.entry("break", Token.Type.BREAK),
            Map.entry("continue", Token.Type.CONTINUE), Map.entry("define", Token.Type.DEFINE),
            Map.entry("else", Token.Type.ELSE), Map.entry("end", Token.Type.END), Map.entry("if", Token.Type.IF),
            Map.entry("range", Token.Type.RANGE), Map.entry("nil", Token.Type.NIL),
            Map.entry("template", Token.Type.TEMPLATE), Map.entry("with", Token.Type.WITH));

    /** Thrown internally with the offset of a lexical error. */
    static final class LexError extends Exception {
        private static final long serialVersionUID = 1L;
        final int pos;

        LexError(int pos, String message) {
            super(message, null, false, false);
            this.pos = pos;
        }
    }

    private final String in;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int parenDepth;

    private Lexer(String input) {
        this.in = input;
    }

    /**
     * Lexes the whole input; the last token is EOF, or ERROR (text = message) at the first lexical error,
     * which the parser reports only if it gets that far, as Go's concurrent lexer does.
     */
    static List<Token> lex(String input) {
        Lexer l = new Lexer(input);
        try {
            l.run();
        } catch (LexError e) {
            l.out.add(new Token(Token.Type.ERROR, e.getMessage(), e.pos));
        }
        return l.out;
    }

    static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    static boolean isAlphaNumeric(int c) {
        return c == '_' || Character.isLetter(c) || Character.isDigit(c);
    }

    private void run() throws LexError {
        int textStart = 0;
        boolean trimLeading = false;
        while (true) {
            int x = in.indexOf(LEFT, pos);
            int end = x < 0 ? in.length() : x;
            int start = textStart;
            if (trimLeading) {
                while (start < end && isSpace(in.charAt(start))) {
                    start++;
                }
            }
            int stop = end;
            if (x >= 0 && hasLeftTrim(x + LEFT.length())) {
                while (stop > start && isSpace(in.charAt(stop - 1))) {
                    stop--;
                }
            }
            if (stop > start) {
                out.add(new Token(Token.Type.TEXT, in.substring(start, stop), start));
            }
            if (x < 0) {
                out.add(new Token(Token.Type.EOF, "", in.length()));
                return;
            }
            trimLeading = lexAction(x);
            textStart = pos;
        }
    }

    private boolean hasLeftTrim(int at) {
        return at + 1 < in.length() && in.charAt(at) == '-' && isSpace(in.charAt(at + 1));
    }

    /** " -}}" at position {@code at}. */
    private boolean atTrimRightDelim(int at) {
        return at + 1 < in.length() && isSpace(in.charAt(at)) && in.charAt(at + 1) == '-'
                && in.startsWith(RIGHT, at + 2);
    }

    /** Lexes one action starting at the left delimiter; returns whether trailing text is trimmed. */
    private boolean lexAction(int delimPos) throws LexError {
        pos = delimPos + LEFT.length();
        if (hasLeftTrim(pos)) {
            pos += 2;
        }
        if (in.startsWith("/*", pos)) {
            int close = in.indexOf("*/", pos + 2);
            if (close < 0) {
                throw new LexError(delimPos, "unclosed comment");
            }
            pos = close + 2;
            if (atTrimRightDelim(pos)) {
                pos += 2 + RIGHT.length();
                return true;
            }
            if (in.startsWith(RIGHT, pos)) {
                pos += RIGHT.length();
                return false;
            }
            throw new LexError(pos, "comment ends before closing delimiter");
        }
        out.add(new Token(Token.Type.LEFT_DELIM, LEFT, delimPos));
        parenDepth = 0;
        while (true) {
            boolean trim = atTrimRightDelim(pos);
            if (trim || in.startsWith(RIGHT, pos)) {
                if (parenDepth != 0) {
                    throw new LexError(pos, "unclosed left paren");
                }
                if (trim) {
                    pos += 2;
                }
                out.add(new Token(Token.Type.RIGHT_DELIM, RIGHT, pos));
                pos += RIGHT.length();
                return trim;
            }
            if (pos >= in.length()) {
                throw new LexError(delimPos, "unclosed action");
            }
            lexInsideAction();
        }
    }

    private void emit(Token.Type type, int start) {
        out.add(new Token(type, in.substring(start, pos), start));
    }

    private void lexInsideAction() throws LexError {
        int start = pos;
        char c = in.charAt(pos);
        if (isSpace(c)) {
            while (pos < in.length() && isSpace(in.charAt(pos))) {
                pos++;
            }
            // leave the final space in place when it starts a " -}}"
            if (atTrimRightDelim(pos - 1)) {
                pos--;
                if (pos == start) {
                    return;
                }
            }
            emit(Token.Type.SPACE, start);
            return;
        }
        pos++;
        switch (c) {
            case '=' -> emit(Token.Type.ASSIGN, start);
            case ':' -> {
                if (pos >= in.length() || in.charAt(pos) != '=') {
                    throw new LexError(start, "expected :=");
                }
                pos++;
                emit(Token.Type.DECLARE, start);
            }
            case '|' -> emit(Token.Type.PIPE, start);
            case '"' -> lexQuote(start);
            case '`' -> lexRawQuote(start);
            case '$' -> lexFieldOrVariable(start, Token.Type.VARIABLE);
            case '\'' -> lexChar(start);
            case '(' -> {
                parenDepth++;
                emit(Token.Type.LEFT_PAREN, start);
            }
            case ')' -> {
                parenDepth--;
                emit(Token.Type.RIGHT_PAREN, start);
            }
            default -> {
                if (c == '.' && (pos >= in.length() || in.charAt(pos) < '0' || in.charAt(pos) > '9')) {
                    lexFieldOrVariable(start, Token.Type.FIELD);
                } else if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
                    pos = start;
                    lexNumber(start);
                } else if (isAlphaNumeric(in.codePointAt(start))) {
                    pos = start;
                    lexIdentifier(start);
                } else if (c < 0x7f && c >= 0x20) {
                    emit(Token.Type.CHAR, start);
                } else {
                    throw new LexError(start, String.format("unrecognized character in action: U+%04X", (int) c));
                }
            }
        }
    }

    private boolean atTerminator() {
        if (pos >= in.length()) {
            return true;
        }
        char c = in.charAt(pos);
        if (isSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(') {
            return true;
        }
        return in.startsWith(RIGHT, pos);
    }

    private void acceptAlphaNumerics() {
        while (pos < in.length()) {
            int cp = in.codePointAt(pos);
            if (!isAlphaNumeric(cp)) {
                break;
            }
            pos += Character.charCount(cp);
        }
    }

    private void lexIdentifier(int start) throws LexError {
        acceptAlphaNumerics();
        if (!atTerminator()) {
            throw new LexError(pos, String.format("bad character U+%04X", in.codePointAt(pos)));
        }
        String word = in.substring(start, pos);
        Token.Type kw = KEYWORDS.get(word);
        if (kw != null) {
            emit(kw, start);
        } else if (word.equals("true") || word.equals("false")) {
            emit(Token.Type.BOOL, start);
        } else {
            emit(Token.Type.IDENTIFIER, start);
        }
    }

    /** Called with pos just after the leading '.' or '$'. */
    private void lexFieldOrVariable(int start, Token.Type type) throws LexError {
        if (atTerminator()) {
            emit(type == Token.Type.VARIABLE ? Token.Type.VARIABLE : Token.Type.DOT, start);
            return;
        }
        acceptAlphaNumerics();
        if (!atTerminator()) {
            throw new LexError(pos, String.format("bad character U+%04X", in.codePointAt(pos)));
        }
        emit(type, start);
    }

    private void lexQuote(int start) throws LexError {
        while (true) {
            if (pos >= in.length() || in.charAt(pos) == '\n') {
                throw new LexError(start, "unterminated quoted string");
            }
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (pos >= in.length() || in.charAt(pos) == '\n') {
                    throw new LexError(start, "unterminated quoted string");
                }
                pos++;
            } else if (c == '"') {
                break;
            }
        }
        emit(Token.Type.STRING, start);
    }

    private void lexRawQuote(int start) throws LexError {
        int close = in.indexOf('`', pos);
        if (close < 0) {
            throw new LexError(start, "unterminated raw quoted string");
        }
        pos = close + 1;
        emit(Token.Type.RAW_STRING, start);
    }

    private void lexChar(int start) throws LexError {
        while (true) {
            if (pos >= in.length() || in.charAt(pos) == '\n') {
                throw new LexError(start, "unterminated character constant");
            }
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (pos >= in.length() || in.charAt(pos) == '\n') {
                    throw new LexError(start, "unterminated character constant");
                }
                pos++;
            } else if (c == '\'') {
                break;
            }
        }
        emit(Token.Type.CHAR_CONSTANT, start);
    }

    private boolean accept(String valid) {
        if (pos < in.length() && valid.indexOf(in.charAt(pos)) >= 0) {
            pos++;
            return true;
        }
        return false;
    }

    private void acceptRun(String valid) {
        while (accept(valid)) {
            // consume
        }
    }

    private void lexNumber(int start) throws LexError {
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) {
                digits = "0123456789abcdefABCDEF_";
            } else if (accept("oO")) {
                digits = "01234567_";
            } else if (accept("bB")) {
                digits = "01_";
            }
        }
        acceptRun(digits);
        if (accept(".")) {
            acceptRun(digits);
        }
        if (digits.length() == 11 && accept("eE")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        if (digits.length() == 23 && accept("pP")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        accept("i");
        if (pos < in.length() && isAlphaNumeric(in.codePointAt(pos))) {
            pos++;
            throw new LexError(start, "bad number syntax: \"" + in.substring(start, pos) + "\"");
        }
        emit(Token.Type.NUMBER, start);
    }
}
