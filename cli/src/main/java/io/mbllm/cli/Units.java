package io.mbllm.cli;

import java.util.Locale;

/** Human-readable rates and durations (decimal units: 1 MB = 10^6 bytes; sizes: {@link HumanSize}). */
public final class Units {
    private Units() {}

    /** Throughput in MB/s for {@code bytes} in {@code seconds}. */
    public static String rate(long bytes, double seconds) {
        return String.format(Locale.ROOT, "%.1f MB/s", seconds <= 0 ? 0.0 : bytes / 1e6 / seconds);
    }

    /** {@code 850 ms}, {@code 12.3 s}, {@code 4m05s}. */
    public static String duration(double seconds) {
        if (seconds < 1) return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
