package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class SideBySideTest {
    @Test
    void wrapsAtWordsKeepsLineBreaksAndCutsLongWords() {
        assertEquals(List.of("one two", "three", "four"), SideBySide.wrap("one two three\nfour", 9));
        assertEquals(List.of("abcdefgh", "ij k"), SideBySide.wrap("abcdefghij k", 8));
        assertEquals(List.of(""), SideBySide.wrap("", 8));
    }

    @Test
    void columnsLineUpUnderTheirHeaders() {
        List<String> lines = SideBySide.render(List.of("f32 (reference)", "q4"), List.of("a b c d e f g h i j k l m n o p", "x y"), 43);
        // (43 - 3) / 2 = 20 characters a column
        assertEquals(List.of(
                "f32 (reference)      | q4",
                "-------------------- | --------------------",
                "a b c d e f g h i j  | x y",
                "k l m n o p          |"), lines, "the rule continues where a column has run out");
    }

    @Test
    void narrowTerminalsStackTheAnswers() {
        List<String> lines = SideBySide.render(List.of("a", "b", "c"), List.of("one", "two", "three"), 40);
        assertEquals(List.of("-- a", "one", "-- b", "two", "-- c", "three"), lines);
    }
}
