package io.mbllm.cli;

/**
 * Byte counts for people, Ollama-style: decimal units (1 KB = 1000 B), one decimal below 10 of a unit
 * ("1.2 GB", "4 MB" when whole), whole numbers from 10 up ("131 KB").
 */
public final class HumanSize {
    private static final String[] UNITS = {"KB", "MB", "GB", "TB", "PB", "EB"};

    private HumanSize() {}

    /** Formats a byte count, e.g. {@code 1185376 → "1.2 MB"}, {@code 512 → "512 B"}. */
    public static String format(long bytes) {
        if (bytes < 0) return "-" + format(-Math.max(bytes, -Long.MAX_VALUE));
        if (bytes < 1000) return bytes + " B";
        double v = bytes;
        int unit = -1;
        while (v >= 1000 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        double oneDecimal = Math.round(v * 10) / 10.0;
        if (oneDecimal >= 10 || oneDecimal == Math.rint(oneDecimal)) {
            return (v >= 10 ? (long) v : (long) oneDecimal) + " " + UNITS[unit];
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", oneDecimal, UNITS[unit]);
    }
}
