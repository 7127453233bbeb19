package io.mbllm.engine.template;

/** One lexical token of a template: raw text, a tag delimiter, or a piece of an expression. */
record Token(Kind kind, String text, Loc loc) {
    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    boolean is(Kind k, String t) { return kind == k && text.equals(t); }
    boolean isOp(String t) { return kind == Kind.OP && text.equals(t); }
    boolean isName(String t) { return kind == Kind.NAME && text.equals(t); }

    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case TEXT -> "text";
            case VAR_END, BLOCK_END, VAR_BEGIN, BLOCK_BEGIN, OP -> "'" + text + "'";
            case STRING -> "string literal";
            default -> "'" + text + "'";
        };
    }
}
