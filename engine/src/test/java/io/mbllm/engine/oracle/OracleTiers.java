package io.mbllm.engine.oracle;

import org.junit.jupiter.api.Assumptions;

/**
 * Which oracle checks run, from the system property {@code oracle}: unset or {@code default} runs the llama-1b
 * set (every CI), {@code full} adds the stablelm-3b set, {@code off} skips every oracle test (they are also
 * selectable by the JUnit tag {@code oracle}).
 */
final class OracleTiers {
    private OracleTiers() {}

    static String level() {
        String v = System.getProperty("oracle", "default").trim().toLowerCase();
        return v.isEmpty() ? "default" : v;
    }

    /** Skips the calling test under {@code -Doracle=off}. */
    static void assumeOn(String what) {
        Assumptions.assumeFalse(level().equals("off"), what + ": skipped by -Doracle=off");
    }

    /** Skips the calling test unless {@code -Doracle=full}. */
    static void assumeFull(String what) {
        Assumptions.assumeTrue(level().equals("full"), what + ": runs with -Doracle=full");
    }
}
