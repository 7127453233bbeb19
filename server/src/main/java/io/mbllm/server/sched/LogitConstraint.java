package io.mbllm.server.sched;

/**
 * Constrained sampling hook of a slot: after every evaluation the logits of tokens that may not come next are
 * set to -infinity; every token fed back into the sequence is reported. One instance per generation.
 */
public interface LogitConstraint {
    /** Sets the logits of forbidden tokens to {@link Float#NEGATIVE_INFINITY} (allocates nothing). */
    void mask(float[] logits);

    /** Records that {@code token} was generated and appended. */
    void accept(int token);
}
