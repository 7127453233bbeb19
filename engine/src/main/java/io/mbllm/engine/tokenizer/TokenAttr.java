package io.mbllm.engine.tokenizer;

/**
 * Per-token attribute bits (a token may carry several), derived from {@code tokenizer.ggml.token_type} and the
 * load-time fix-ups llama.cpp applies (llama-vocab.cpp, {@code llama_token_attr}).
 */
public final class TokenAttr {
    private TokenAttr() {}

    /** GGUF token type 0, or any unknown type: renders as nothing. */
    public static final int UNDEFINED = 0;
    /** The unknown token ({@code <unk>}). */
    public static final int UNKNOWN = 1;
    /** A reserved, unused slot. */
    public static final int UNUSED = 1 << 1;
    /** An ordinary token. */
    public static final int NORMAL = 1 << 2;
    /** A control token (BOS, EOS, chat markers): only matched in text when special parsing is on. */
    public static final int CONTROL = 1 << 3;
    /** A user-defined token: always matched in text before the model's own algorithm runs. */
    public static final int USER_DEFINED = 1 << 4;
    /** A byte-fallback token {@code <0xXX>}. */
    public static final int BYTE = 1 << 5;
    /** Strip whitespace to the left of this token when it is matched in text. */
    public static final int LSTRIP = 1 << 7;
    /** Strip whitespace to the right of this token when it is matched in text. */
    public static final int RSTRIP = 1 << 8;

    /** Maps a GGUF {@code tokenizer.ggml.token_type} value to attribute bits. */
    public static int fromGgufType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
