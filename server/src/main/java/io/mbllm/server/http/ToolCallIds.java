package io.mbllm.server.http;

import java.security.SecureRandom;

/** Tool-call ids as Ollama makes them: {@code call_} and 8 characters of {@code [a-z0-9]}. */
final class ToolCallIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

    private ToolCallIds() {}

    static String next() {
        StringBuilder sb = new StringBuilder("call_");
        for (int i = 0; i < 8; i++) sb.append(CHARS.charAt(RANDOM.nextInt(CHARS.length())));
        return sb.toString();
    }
}
