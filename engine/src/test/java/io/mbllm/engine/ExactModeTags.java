package io.mbllm.engine;

/** JUnit tags that select the surefire execution (engine/pom.xml) a test class runs in. */
public final class ExactModeTags {
    private ExactModeTags() {}

    /**
     * Tests pinned to float32 attention numerics (float64 reference forward passes, llama.cpp run with
     * {@code -fa off -ctk f32 -ctv f32}, llama2.c's run.c): the {@code f32-attention} execution runs them with
     * {@code -Dmbllm.exact=false}. Exact mode (the default) keeps K/V in F16 as llama.cpp's defaults do, which moves
     * such logits by up to about 1e-3 relative; its own check is the bit-identity of the oracle tests.
     */
    public static final String F32_ATTENTION = "f32-attention";
}
