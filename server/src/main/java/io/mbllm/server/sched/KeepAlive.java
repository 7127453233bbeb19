package io.mbllm.server.sched;

import java.math.BigDecimal;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How long a model stays loaded after its last request (api-contract §2). A negative duration means forever,
 * zero means unload as soon as the request finishes.
 */
public record KeepAlive(Duration duration) {
    /** Ollama's default, 5 minutes. */
    public static final KeepAlive DEFAULT = new KeepAlive(Duration.ofMinutes(5));
    /** Never unload. */
    public static final KeepAlive FOREVER = new KeepAlive(Duration.ofSeconds(-1));
    /** Unload right after the request. */
    public static final KeepAlive ZERO = new KeepAlive(Duration.ZERO);

    public boolean forever() {
        return duration.isNegative();
    }

    public boolean zero() {
        return duration.isZero();
    }

    /**
     * The request's {@code keep_alive}: absent/null ⇒ {@code fallback}; a number = seconds (fractions ok); a
     * string = Go duration ({@code "5m"}, {@code "1h30m"}, {@code "-1m"}, {@code "0"}) or plain seconds.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static KeepAlive fromJson(JsonNode node, KeepAlive fallback) {
        if (node == null || node.isNull() || node.isMissingNode()) return fallback;
        if (node.isNumber()) return ofSeconds(node.decimalValue());
        if (node.isTextual()) return parse(node.asText());
        throw new IllegalArgumentException("invalid keep_alive: must be a number of seconds or a duration string");
    }

    /** Parses a duration string or plain (possibly fractional) seconds, as the env var and the API accept. */
    public static KeepAlive parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("invalid keep_alive: empty duration");
        try {
            return ofSeconds(new BigDecimal(s));
        } catch (NumberFormatException e) {
            // not plain seconds: a Go duration
        }
        return new KeepAlive(goDuration(s));
    }

    private static KeepAlive ofSeconds(BigDecimal seconds) {
        if (seconds.signum() < 0) return FOREVER;
        if (seconds.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000_000L)) > 0) return FOREVER;
        return new KeepAlive(Duration.ofNanos(seconds.movePointRight(9).longValue()));
    }

    /** Go's time.ParseDuration: optional sign, then one or more {@code <decimal><unit>}. */
    static Duration goDuration(String s) {
        int i = 0;
        boolean neg = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            neg = s.charAt(0) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) return Duration.ZERO;
        if (i >= s.length()) throw bad(s);
        BigDecimal totalNanos = BigDecimal.ZERO;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
            if (start == i) throw bad(s);
            BigDecimal value;
            try {
                value = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw bad(s);
            }
            int u = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') i++;
            long unit = switch (s.substring(u, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw bad(s);
            };
            totalNanos = totalNanos.add(value.multiply(BigDecimal.valueOf(unit)));
        }
        if (totalNanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw bad(s);
        long n = totalNanos.longValue();
        return neg ? Duration.ofNanos(-n) : Duration.ofNanos(n);
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("invalid keep_alive duration \"" + s + "\"");
    }
}
