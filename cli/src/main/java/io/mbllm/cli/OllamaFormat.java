package io.mbllm.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The human formats of Ollama's list/ps tables (cli.md §1 {@code list}): byte sizes in decimal units and times
 * relative to now ({@code 2 days ago}, {@code 4 minutes from now}, {@code Forever}).
 */
public final class OllamaFormat {
    private static final long KB = 1000L;
    private static final long MB = KB * 1000;
    private static final long GB = MB * 1000;
    private static final long TB = GB * 1000;

    private OllamaFormat() {}

    /**
     * A size: {@code N B} below 1 KB; otherwise the value in the largest unit reached, as an integer (truncated)
     * when ≥ 10 or exactly whole, else with one decimal ({@code 812 MB}, {@code 2 GB}, {@code 2.0 GB} for
     * 2.019e9 bytes, {@code 1.9 GB}).
     */
    public static String bytes(long b) {
        double v;
        String unit;
        if (b >= TB) { v = (double) b / TB; unit = "TB"; }
        else if (b >= GB) { v = (double) b / GB; unit = "GB"; }
        else if (b >= MB) { v = (double) b / MB; unit = "MB"; }
        else if (b >= KB) { v = (double) b / KB; unit = "KB"; }
        else return b + " B";
        if (v >= 10 || v == Math.floor(v)) return (long) v + " " + unit;
        return String.format(Locale.ROOT, "%.1f %s", v, unit);
    }

    /**
     * {@code t} relative to {@code now}: {@code <duration> ago} or {@code <duration> from now}, {@code Forever}
     * more than 20 years ahead, {@code zero} when {@code t} is null.
     */
    public static String relative(Instant t, Instant now, String zero) {
        if (t == null) return zero;
        Duration delta = Duration.between(t, now);
        if (delta.isNegative()) {
            if (-delta.toHours() / 24 / 365 > 20) return "Forever";
            return duration(delta.negated()) + " from now";
        }
        return duration(delta) + " ago";
    }

    /**
     * A duration in words: {@code Less than a second}, {@code 1 second}, {@code N seconds}, {@code About a minute},
     * {@code N minutes}, {@code About an hour}, {@code N hours} (< 48), {@code N days} (< 14 days), {@code N weeks}
     * (< 60 days), {@code N months} (< 2 years), {@code N years}.
     */
    public static String duration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = d.toMinutes();
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = Math.round(d.toMillis() / 3_600_000.0);
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        if (hours < 24 * 7 * 2) return hours / 24 + " days";
        if (hours < 24 * 30 * 2) return hours / 24 / 7 + " weeks";
        if (hours < 24 * 365 * 2) return hours / 24 / 30 + " months";
        return d.toHours() / 24 / 365 + " years";
    }
}
