package io.mbllm.engine.template;

/** Resource limits that turn runaway templates into errors instead of hangs or out-of-memory. */
final class Limits {
    private Limits() {}

    /** Longest string a single operation may build, and the longest rendered output (chars). */
    static final long MAX_STRING = 64L << 20;
    /** Largest list a single operation (range, repetition) may build. */
    static final long MAX_ITEMS = 10_000_000L;
    /** Total loop iterations per render. */
    static final long MAX_ITERATIONS = 50_000_000L;
    /** Nested macro calls. */
    static final int MAX_CALL_DEPTH = 256;
}
