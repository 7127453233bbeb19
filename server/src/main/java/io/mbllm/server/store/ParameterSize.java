package io.mbllm.server.store;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Formats a parameter count as {@code details.parameter_size} (Ollama {@code format.HumanNumber}):
 * ≥1e9 {@code 3.2B} ({@code 8B} when whole), ≥1e6 {@code 494.03M} ({@code 7M} when whole), ≥1e3
 * {@code 260K}, else the integer. Rounding is Go's (exact binary value, ties to even).
 */
public final class ParameterSize {
    private ParameterSize() {
    }

    /** The human form of {@code count} (≥ 0). */
    public static String format(long count) {
        if (count >= 1_000_000_000L) {
            return scaled(count / 1e9, 1, "B");
        }
        if (count >= 1_000_000L) {
            return scaled(count / 1e6, 2, "M");
        }
        if (count >= 1_000L) {
            return fixed(count / 1e3, 0) + "K";
        }
        return Long.toString(count);
    }

    private static String scaled(double v, int decimals, String unit) {
        return (v == Math.floor(v) ? fixed(v, 0) : fixed(v, decimals)) + unit;
    }

    private static String fixed(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }
}
