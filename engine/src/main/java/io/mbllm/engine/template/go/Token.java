package io.mbllm.engine.template.go;

/** One lexical item of a Go template; {@code pos} is the character offset in the source. */
record Token(Type type, String text, int pos) {

    /** Kinds of lexical items, following Go's text/template/parse lexer. */
    enum Type {
        TEXT, LEFT_DELIM, RIGHT_DELIM, SPACE, FIELD, VARIABLE, DOT, IDENTIFIER, BOOL, NUMBER, CHAR_CONSTANT,
        STRING, RAW_STRING, PIPE, LEFT_PAREN, RIGHT_PAREN, DECLARE, ASSIGN, CHAR,
        BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH, EOF, ERROR
    }

    boolean is(Type t) {
        return type == t;
    }

    /** How the token is quoted in error messages, like Go's item.String(). */
    String describe() {
        return switch (type) {
            case EOF -> "EOF";
            case ERROR -> text;
            case BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH -> "<" + text + ">";
            default -> text.codePointCount(0, text.length()) > 10
                    ? GoFormat.quote(text.substring(0, text.offsetByCodePoints(0, 10))) + "..."
                    : GoFormat.quote(text);
        };
    }
}
