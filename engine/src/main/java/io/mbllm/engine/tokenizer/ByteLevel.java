package io.mbllm.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode mapping used by byte-level BPE: printable bytes ({@code !..~}, {@code ¡..¬},
 * {@code ®..ÿ}) map to the code point of the same value; the remaining 68 bytes map, in byte order, to
 * U+0100 onwards. Token texts are stored in this alphabet.
 */
final class ByteLevel {
    private ByteLevel() {}

    private static final int[] BYTE_TO_CP = new int[256];
    private static final int[] CP_TO_BYTE = new int[256 + 68];
    /** The UTF-8 of each byte's code point, as byte text. */
    private static final String[] BYTE_TO_TEXT = new String[256];

    static {
        java.util.Arrays.fill(CP_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int cp = printable ? b : 256 + extra++;
            BYTE_TO_CP[b] = cp;
            CP_TO_BYTE[cp] = b;
            StringBuilder sb = new StringBuilder(2);
            Unicode.appendUtf8(sb, cp);
            BYTE_TO_TEXT[b] = sb.toString();
        }
    }

    /** Appends the byte-level encoding of {@code utf8} (byte text) to {@code out} (byte text). */
    static void encode(String utf8, StringBuilder out) {
        for (int i = 0; i < utf8.length(); i++) out.append(BYTE_TO_TEXT[utf8.charAt(i) & 0xFF]);
    }

    /**
     * Decodes a byte-level token text (byte text) to raw bytes. A code point outside the alphabet becomes
     * {@code [UNK_BYTE_0x<hex of its UTF-8><token text>]}, as llama.cpp renders it.
     */
    static byte[] decodeToken(String tokenText) {
        int[] cps = Unicode.codepoints(tokenText);
        ByteArrayOutputStream out = new ByteArrayOutputStream(cps.length);
        for (int cp : cps) {
            int b = cp < CP_TO_BYTE.length ? CP_TO_BYTE[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                StringBuilder sb = new StringBuilder();
                Unicode.appendUtf8(sb, cp);
                StringBuilder unk = new StringBuilder("[UNK_BYTE_0x");
                for (int i = 0; i < sb.length(); i++) unk.append(String.format("%02x", (int) sb.charAt(i)));
                out.writeBytes(unk.toString().getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(ByteText.bytes(tokenText));
                out.write(']');
            }
        }
        return out.toByteArray();
    }
}
