package io.mbllm.engine.oracle;

import org.junit.jupiter.api.Assumptions;

/**
 * Which oracle checks run, from the system property {@code oracle}: unset or {@code full} runs every recorded
 * model (llama-1b and stablelm-3b: what the acceptance asks, so CI runs it), {@code quick} only the llama-1b set
 * (a faster local loop), {@code off} skips every oracle test (they are also selectable by the JUnit tag
 * {@code oracle}). Generated models are cached (see OracleCache), so only the first run pays for them.
 */
final class OracleTiers {
    private OracleTiers() {}

    static String level() {
        String v = System.getProperty("oracle", "full").trim().toLowerCase();
        return v.isEmpty() || v.equals("default") ? "full" : v;
    }

    /** Skips the calling test under {@code -Doracle=off}. */
    static void assumeOn(String what) {
        Assumptions.assumeFalse(level().equals("off"), what + ": skipped by -Doracle=off");
    }

    /** Skips the calling test under {@code -Doracle=quick} or {@code off}. */
    static void assumeFull(String what) {
        Assumptions.assumeTrue(level().equals("full"), what + ": skipped by -Doracle=" + level());
    }
}
