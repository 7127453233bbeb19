package io.mbllm.server.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class JsonConstraintTest {
    // vocabulary: 0 = EOS, 1 = control (empty piece), then text tokens
    static final String[] TEXTS = {"", "", "{", "}", "\"a\"", ":", "1", " ", "x", "{\"a\":1}", "\"", "a"};

    static byte[][] pieces() {
        byte[][] p = new byte[TEXTS.length][];
        for (int i = 0; i < p.length; i++) p[i] = TEXTS[i].getBytes(StandardCharsets.UTF_8);
        return p;
    }

    static boolean[] allowed(JsonConstraint c) {
        float[] logits = new float[TEXTS.length];
        c.mask(logits);
        boolean[] ok = new boolean[logits.length];
        for (int i = 0; i < logits.length; i++) ok[i] = logits[i] != Float.NEGATIVE_INFINITY;
        return ok;
    }

    @Test
    void masksTokensThatLeaveTheGrammar() {
        JsonConstraint c = new JsonConstraint(JsonGrammar.anyObject(), pieces(), t -> t == 0);
        boolean[] ok = allowed(c);
        assertFalse(ok[0], "no EOS before the value is complete");
        assertFalse(ok[1], "control tokens never");
        assertTrue(ok[2]);
        assertTrue(ok[7]);
        assertTrue(ok[9], "a token holding a whole object");
        assertFalse(ok[3]);
        assertFalse(ok[8]);
        c.accept(2);
        ok = allowed(c);
        assertTrue(ok[3] && ok[4] && ok[10]);
        assertFalse(ok[6] || ok[2] || ok[0]);
        c.accept(4);
        c.accept(5);
        c.accept(6);
        ok = allowed(c);
        assertTrue(ok[3] && ok[6] && ok[7]);
        c.accept(3);
        ok = allowed(c);
        assertTrue(ok[0], "complete: EOS allowed");
        for (int i = 1; i < ok.length; i++) assertFalse(ok[i], "complete: only EOS, token " + i);
        assertTrue(c.complete());
        assertFalse(c.failed());
    }

    @Test
    void stuckConstraintLetsGenerationEnd() {
        byte[][] p = {new byte[0], "x".getBytes(StandardCharsets.UTF_8)};
        JsonConstraint c = new JsonConstraint(JsonGrammar.anyObject(), p, t -> t == 0);
        float[] logits = {-5f, 3f};
        c.mask(logits);
        assertEquals(0f, logits[0]);
        assertEquals(Float.NEGATIVE_INFINITY, logits[1]);
        assertTrue(c.failed());
    }
}
