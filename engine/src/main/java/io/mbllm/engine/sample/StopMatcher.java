package io.mbllm.engine.sample;

import java.util.List;

/**
 * Applies stop strings to streamed text. Each {@link #feed} returns the text that can no longer be part of a
 * stop string; a tail that could still grow into one is held back until the next piece decides. When a stop
 * string appears, the text before its first occurrence is released and everything from it on is dropped (the
 * stop string itself is never emitted); after that the matcher is {@link #stopped()} and ignores further
 * input. {@link #flush()} releases what is held back when generation ends for another reason.
 *
 * <p>With several stop strings the earliest occurrence wins. Empty stop strings are ignored.
 */
public final class StopMatcher {
    private final String[] stops;
    private final StringBuilder held = new StringBuilder();
    private String matched;

    public StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> s != null && !s.isEmpty()).toArray(String[]::new);
    }

    /** True once a stop string was seen. */
    public boolean stopped() {
        return matched != null;
    }

    /** The stop string that ended the text, or {@code null}. */
    public String matchedStop() {
        return matched;
    }

    /** The text currently held back (a possible start of a stop string). */
    public String pending() {
        return held.toString();
    }

    /** Takes the next piece of text; returns the part that is safe to emit (possibly empty). */
    public String feed(String piece) {
        if (matched != null || piece.isEmpty()) return "";
        if (stops.length == 0) return piece;
        held.append(piece);
        int first = -1;
        String which = null;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
                which = s;
            }
        }
        if (first >= 0) {
            matched = which;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = longestPartialSuffix();
        int release = held.length() - keep;
        if (release == 0) return "";
        String out = held.substring(0, release);
        held.delete(0, release);
        return out;
    }

    /** Releases the held-back text (generation ended without completing a stop string). */
    public String flush() {
        if (matched != null) return "";
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of {@code held} that is a proper prefix of some stop string. */
    private int longestPartialSuffix() {
        int n = held.length();
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(n, s.length() - 1); len > best; len--) {
                if (regionEquals(n - len, s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean regionEquals(int from, String s, int len) {
        for (int i = 0; i < len; i++) {
            if (held.charAt(from + i) != s.charAt(i)) return false;
        }
        return true;
    }
}
