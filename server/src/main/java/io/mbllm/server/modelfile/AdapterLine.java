package io.mbllm.server.modelfile;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code ADAPTER} argument: a path with an optional user scale, {@code PATH[:SCALE]} (an mbllm extension,
 * the same form as {@code mbllm run --lora FILE:SCALE}; scale 1 when absent). The text after the last {@code :}
 * is the scale when it is a plain decimal number ({@code 0.5}, {@code -1}, {@code 2e-1}); otherwise the whole
 * text is the path. An Ollama parser reads {@code ./x.gguf:0.5} as a path like any other (it then finds no such
 * file), so the form fails on Ollama no harder than a missing adapter file.
 *
 * @param path  the path as written (unexpanded)
 * @param scale the user scale: the adapter's term is multiplied by it (0 disables the adapter)
 */
public record AdapterLine(String path, float scale) {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    public AdapterLine {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("ADAPTER needs a path");
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("adapter scale must be finite: " + scale);
        }
    }

    /** Splits {@code PATH[:SCALE]} (see the class comment). */
    public static AdapterLine parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon > 0 && NUMBER.matcher(text.substring(colon + 1)).matches()) {
            float s = Float.parseFloat(text.substring(colon + 1));
            if (Float.isFinite(s)) {
                return new AdapterLine(text.substring(0, colon), s);
            }
        }
        return new AdapterLine(text, 1f);
    }

    /** The Modelfile form: {@code PATH}, or {@code PATH:SCALE} when the scale is not 1. */
    public String text() {
        return scale == 1f ? path : path + ":" + formatScale(scale);
    }

    /** The shortest decimal that reads back as {@code scale} ({@code 0.5}, {@code 2}, {@code 0.1}). */
    public static String formatScale(float scale) {
        String s = Float.toString(scale);
        if (s.contains("E")) {
            return new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
        }
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
