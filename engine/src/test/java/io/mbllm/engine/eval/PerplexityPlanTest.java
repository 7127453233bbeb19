package io.mbllm.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Chunking as llama-perplexity does it. */
class PerplexityPlanTest {
    @Test
    void chunksAreFloorOfNOverC() throws EvalException {
        Perplexity.Plan p = Perplexity.plan(1249, 128);
        assertEquals(9, p.chunks());
        assertEquals(63, p.scoredPerChunk());
        assertEquals(567, p.tokensScored());
        assertEquals(1152, p.tokensUsed(), "97 tokens left at the end");
        Perplexity.Plan q = Perplexity.plan(1249, 64);
        assertEquals(19, q.chunks());
        assertEquals(589, q.tokensScored());
        assertEquals(1249 - 33, q.tokensUsed());
        assertEquals(2, Perplexity.plan(256, 128).chunks(), "exactly 2C is enough");
    }

    @Test
    void tooFewTokensOrTooSmallAContextAreRefused() {
        EvalException e = assertThrows(EvalException.class, () -> Perplexity.plan(255, 128));
        assertTrue(e.getMessage().contains("at least 256 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("only 255"), e.getMessage());
        assertThrows(EvalException.class, () -> Perplexity.plan(1000, 3));
        assertThrows(EvalException.class, () -> Perplexity.plan(1000, 0));
        assertThrows(EvalException.class, () -> Perplexity.plan(Integer.MAX_VALUE, Integer.MAX_VALUE / 2 + 1));
    }
}
