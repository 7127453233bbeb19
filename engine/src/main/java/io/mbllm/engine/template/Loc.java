package io.mbllm.engine.template;

/** A 1-based position in the template source. */
record Loc(int line, int col) {
    @Override public String toString() { return line + ":" + col; }
}
