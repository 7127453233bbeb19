package io.mbllm.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StopMatcherTest {
    @Test
    void partialMatchAcrossPiecesIsHeldThenDropped() {
        StopMatcher m = new StopMatcher(List.of("</s>"));
        assertEquals("Hello ", m.feed("Hello <"));
        assertEquals("<", m.pending());
        assertEquals("", m.feed("/"));
        assertFalse(m.stopped());
        assertEquals("", m.feed("s>tail"));
        assertTrue(m.stopped());
        assertEquals("</s>", m.matchedStop());
        assertEquals("", m.feed("more"), "nothing after the stop");
        assertEquals("", m.flush());
    }

    @Test
    void brokenPartialMatchIsReleased() {
        StopMatcher m = new StopMatcher(List.of("</s>"));
        assertEquals("a ", m.feed("a <"));
        assertEquals("</b", m.feed("/b"));
        assertEquals("", m.pending());
        assertFalse(m.stopped());
    }

    @Test
    void textBeforeTheStopInTheSamePieceIsEmitted() {
        StopMatcher m = new StopMatcher(List.of("User:"));
        assertEquals("fine.\n", m.feed("fine.\nUser: hi"));
        assertTrue(m.stopped());
    }

    @Test
    void multipleStopsEarliestWins() {
        StopMatcher m = new StopMatcher(List.of("STOP", "END"));
        assertEquals("a", m.feed("aENDbSTOP"));
        assertEquals("END", m.matchedStop());

        StopMatcher split = new StopMatcher(List.of("STOP", "END"));
        assertEquals("xx", split.feed("xxEN"));
        assertEquals("", split.feed("D"));
        assertEquals("END", split.matchedStop());

        StopMatcher hold = new StopMatcher(List.of("abc", "bcd"));
        assertEquals("x", hold.feed("xab"), "'ab' may start abc");
        assertEquals("", hold.feed(""), "an empty piece changes nothing");
        assertEquals("abd", hold.feed("d"), "no stop can match any more");
        StopMatcher both = new StopMatcher(List.of("bcd", "abc"));
        assertEquals("x", both.feed("xab"));
        assertEquals("", both.feed("cd"));
        assertEquals("abc", both.matchedStop(), "abc starts before bcd");
    }

    @Test
    void stopAtTheStartEmitsNothing() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertEquals("", m.feed("STOPabc"));
        assertTrue(m.stopped());
        StopMatcher piecewise = new StopMatcher(List.of("STOP"));
        assertEquals("", piecewise.feed("ST"));
        assertEquals("", piecewise.feed("OP"));
        assertTrue(piecewise.stopped());
    }

    @Test
    void overlappingPrefixKeepsOnlyWhatCanStillMatch() {
        StopMatcher m = new StopMatcher(List.of("aab"));
        StringBuilder out = new StringBuilder();
        for (String p : new String[] {"a", "a", "a", "b"}) out.append(m.feed(p));
        assertEquals("a", out.toString());
        assertTrue(m.stopped());
    }

    @Test
    void flushReleasesTheHeldTail() {
        StopMatcher m = new StopMatcher(List.of("<x"));
        assertEquals("ab", m.feed("ab<"));
        assertEquals("<", m.flush());
        assertFalse(m.stopped());
        assertNull(m.matchedStop());
    }

    @Test
    void noStopsPassesThroughAndEmptyStopsAreIgnored() {
        StopMatcher m = new StopMatcher(List.of("", ""));
        assertEquals("abc", m.feed("abc"));
        assertEquals("", m.flush());
    }

    @Test
    void multiCharacterCodePointsAreNotSplit() {
        StopMatcher m = new StopMatcher(List.of("😀!"));
        assertEquals("a", m.feed("a😀"));
        assertEquals("😀?", m.feed("?"));
        assertEquals("", m.feed("😀!"));
        assertTrue(m.stopped());
    }
}
