package io.mbllm.cli;

/** Formats nanoseconds as Go's {@code time.Duration.String()} does ("1.234s", "130ms", "2m0.5s"), as Ollama prints timings. */
final class GoDuration {
    private GoDuration() {}

    static String format(long nanos) {
        if (nanos == 0) return "0s";
        String sign = nanos < 0 ? "-" : "";
        long d = Math.abs(nanos);
        if (d < 1_000L) return sign + d + "ns";
        if (d < 1_000_000L) return sign + fraction(d, 3) + "µs";
        if (d < 1_000_000_000L) return sign + fraction(d, 6) + "ms";
        long hours = d / 3_600_000_000_000L;
        long minutes = d / 60_000_000_000L % 60;
        long secNanos = d % 60_000_000_000L;
        StringBuilder sb = new StringBuilder(sign);
        if (hours > 0) sb.append(hours).append('h');
        if (hours > 0 || minutes > 0) sb.append(minutes).append('m');
        return sb.append(fraction(secNanos, 9)).append('s').toString();
    }

    /** {@code v / 10^digits} with the fraction's trailing zeros removed. */
    private static String fraction(long v, int digits) {
        long scale = 1;
        for (int i = 0; i < digits; i++) scale *= 10;
        String frac = String.format("%0" + digits + "d", v % scale).replaceFirst("0+$", "");
        return (v / scale) + (frac.isEmpty() ? "" : "." + frac);
    }
}
