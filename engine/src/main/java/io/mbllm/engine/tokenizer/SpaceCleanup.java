package io.mbllm.engine.tokenizer;

import java.util.Arrays;

/**
 * The "clean up tokenization spaces" step of llama.cpp's detokenizer, three passes over the bytes:
 * (1) drop a space before {@code ? ! . ,}; (2) turn {@code " ' "} into {@code "'"}; (3) drop the space before
 * the contractions {@code 's 'm 're 've}. The first byte is never dropped by a pass's look-back. Only spaces
 * are ever removed, and each decision looks at most one byte back and two ahead, which lets
 * {@link StreamingDetokenizer} clean the stream in pieces.
 */
final class SpaceCleanup {
    private SpaceCleanup() {}

    static byte[] apply(byte[] in, int from, int to) {
        byte[] a = Arrays.copyOfRange(in, from, to);
        return contractions(quotes(punctuation(a)));
    }

    private static byte[] punctuation(byte[] t) {
        int n = t.length;
        if (n == 0) return t;
        byte[] out = new byte[n];
        int len = 0;
        out[len++] = t[0];
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) len--;
            out[len++] = x;
        }
        return Arrays.copyOf(out, len);
    }

    private static byte[] quotes(byte[] t) {
        int n = t.length;
        if (n == 0) return t;
        byte[] out = new byte[n];
        int len = 0;
        out[len++] = t[0];
        boolean prevConsumed = false;
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            boolean prevSpace = !prevConsumed && t[i - 1] == ' ';
            prevConsumed = false;
            if (x == '\'' && i + 1 < n && prevSpace && t[i + 1] == ' ') {
                len--;
                out[len++] = x;
                i++; // the space after the quote goes too
                prevConsumed = true;
                continue;
            }
            out[len++] = x;
        }
        return Arrays.copyOf(out, len);
    }

    private static byte[] contractions(byte[] t) {
        int n = t.length;
        if (n == 0) return t;
        byte[] out = new byte[n];
        int len = 0;
        out[len++] = t[0];
        for (int i = 1; i < n; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < n) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    len--;
                } else if (i + 2 < n) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' || x1 == 'v') && x2 == 'e') len--;
                }
            }
            out[len++] = x;
        }
        return Arrays.copyOf(out, len);
    }
}
