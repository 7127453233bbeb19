package io.mbllm.server.format;

import java.util.function.IntPredicate;

import io.mbllm.server.sched.LogitConstraint;

/**
 * Constrained sampling for {@code format}: before every draw, each token whose text would take the output off
 * the {@link JsonGrammar} gets a logit of -infinity; end-of-generation tokens are allowed only once the value
 * is complete, and then only they are. Control tokens (which render as nothing) are never allowed. Per token
 * the cost is one state copy plus one byte step per byte of its text; nothing is allocated.
 */
public final class JsonConstraint implements LogitConstraint {
    private final byte[][] pieces;
    private final IntPredicate endOfGeneration;
    private final JsonMatcher state;
    private final JsonMatcher trial;
    private boolean broken;
    private boolean stuck;

    /**
     * @param grammar         the shape to enforce
     * @param pieces          the text of every token as generated (index = token id; empty for control tokens)
     * @param endOfGeneration the tokens that end generation
     */
    public JsonConstraint(JsonGrammar grammar, byte[][] pieces, IntPredicate endOfGeneration) {
        this.pieces = pieces;
        this.endOfGeneration = endOfGeneration;
        this.state = new JsonMatcher(grammar);
        this.trial = new JsonMatcher(grammar);
    }

    @Override
    public void mask(float[] logits) {
        boolean canEnd = state.canEnd();
        boolean done = state.done();
        boolean any = false;
        int n = Math.min(logits.length, pieces.length);
        for (int t = 0; t < n; t++) {
            boolean ok;
            if (endOfGeneration.test(t)) {
                ok = canEnd;
            } else if (done || pieces[t].length == 0) {
                ok = false;
            } else {
                trial.copyFrom(state);
                ok = trial.feed(pieces[t]);
            }
            if (ok) any = true;
            else logits[t] = Float.NEGATIVE_INFINITY;
        }
        for (int t = n; t < logits.length; t++) logits[t] = Float.NEGATIVE_INFINITY;
        if (!any) {
            // nothing can continue the value (vocabulary without the needed bytes): let it end
            stuck = true;
            for (int t = 0; t < n; t++) if (endOfGeneration.test(t)) logits[t] = 0f;
        }
    }

    @Override
    public void accept(int token) {
        if (token < 0 || token >= pieces.length || endOfGeneration.test(token)) return;
        if (!state.feed(pieces[token])) broken = true;
    }

    /** Whether the output so far is a complete value. */
    public boolean complete() {
        return state.canEnd();
    }

    /** Whether the constraint could not be kept (no token could continue, or a token outside the mask was fed). */
    public boolean failed() {
        return stuck || broken;
    }
}
