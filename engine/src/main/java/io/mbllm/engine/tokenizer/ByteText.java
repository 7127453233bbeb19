package io.mbllm.engine.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * "Byte text": a {@link String} holding one char (0..255) per byte. The tokenizers work on UTF-8 bytes like
 * llama.cpp does; byte text gives them cheap hashing, substrings and {@code indexOf} over bytes, and Java
 * stores it compactly (one byte per char).
 */
final class ByteText {
    private ByteText() {}

    static String of(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static String utf8(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] bytes(String byteText) {
        return byteText.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** C {@code isspace} in the "C" locale, which llama.cpp uses to strip around special tokens. */
    static boolean isSpace(char b) {
        return b == ' ' || (b >= 0x09 && b <= 0x0D);
    }
}
