package io.mbllm.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsParserTest {
    @Test
    void defaultsAreOllamas() {
        SamplingOptions d = SamplingOptions.DEFAULTS;
        assertEquals(0.8f, d.temperature());
        assertEquals(40, d.topK());
        assertEquals(0.9f, d.topP());
        assertEquals(0.0f, d.minP());
        assertEquals(1.0f, d.typicalP());
        assertEquals(64, d.repeatLastN());
        assertEquals(1.1f, d.repeatPenalty());
        assertEquals(0f, d.presencePenalty());
        assertEquals(0f, d.frequencyPenalty());
        assertEquals(-1, d.numPredict());
        assertEquals(-1L, d.seed());
        assertEquals(4096, d.numCtx());
        assertEquals(4, d.numKeep());
        assertEquals(List.of(), d.stop());
        assertEquals(d, OptionsParser.parse(Map.of()));
        assertSame(d, d.with(null));
    }

    @Test
    void readsEveryOptionWithJsonNumberRules() {
        Map<String, Object> m = new HashMap<>();
        m.put("temperature", 0.25);
        m.put("top_k", 12.9); // ints accept floats, truncated
        m.put("top_p", 1); // floats accept ints
        m.put("min_p", 0.05f);
        m.put("typical_p", 0.5);
        m.put("repeat_penalty", 1.3);
        m.put("repeat_last_n", -1);
        m.put("presence_penalty", -0.5);
        m.put("frequency_penalty", 0.75);
        m.put("seed", 123456789012L);
        m.put("num_predict", 64L);
        m.put("num_ctx", 512);
        m.put("num_keep", 0);
        m.put("stop", List.of("\n\n", "User:"));
        SamplingOptions o = OptionsParser.parse(m);
        assertEquals(new SamplingOptions(0.25f, 12, 1f, 0.05f, 0.5f, 1.3f, -1, -0.5f, 0.75f, 123456789012L, 64, 512, 0,
                List.of("\n\n", "User:")), o);
    }

    @Test
    void unknownAndForeignKeysAreIgnoredNullKeepsTheValue() {
        Map<String, Object> m = new HashMap<>();
        m.put("mirostat", 2);
        m.put("num_thread", 8);
        m.put("no_such_option", "x");
        m.put("temperature", null);
        assertEquals(SamplingOptions.DEFAULTS, OptionsParser.parse(m));
    }

    @Test
    void laterLayersWinAndStopIsReplacedNotMerged() {
        SamplingOptions model = SamplingOptions.DEFAULTS.with(Map.of("temperature", 0.2, "stop", List.of("<|im_end|>")));
        SamplingOptions request = model.with(Map.of("stop", "END", "top_k", 5));
        assertEquals(0.2f, request.temperature());
        assertEquals(5, request.topK());
        assertEquals(List.of("END"), request.stop());
    }

    @Test
    void numericStringsAreAcceptedForModelfileParameters() {
        SamplingOptions o = OptionsParser.parse(Map.of("temperature", "0.5", "top_k", " 7 ", "seed", "42"));
        assertEquals(0.5f, o.temperature());
        assertEquals(7, o.topK());
        assertEquals(42L, o.seed());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "temperature|-0.1|must be >= 0",
            "temperature|NaN|finite",
            "top_p|1.5|between 0 and 1",
            "top_p|-0.01|between 0 and 1",
            "min_p|2|between 0 and 1",
            "typical_p|-1|between 0 and 1",
            "repeat_penalty|0|greater than 0",
            "repeat_penalty|-1|greater than 0",
            "repeat_last_n|-2|>= -1",
            "presence_penalty|Infinity|finite",
            "num_predict|-3|>= -1",
            "num_ctx|0|between 1 and",
            "num_ctx|100000000|between 1 and",
            "num_keep|-5|>= -1",
            "top_k|1e30|out of range",
            "temperature|1e39|out of range",
    })
    void badValuesNameTheOption(String key, String value, String expected) {
        Object v = value.equals("NaN") ? Double.NaN : value.equals("Infinity") ? Double.POSITIVE_INFINITY : Double.parseDouble(value);
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> OptionsParser.parse(Map.of(key, v)));
        assertEquals(key, e.option());
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badTypesNameTheOptionAndTheType() {
        assertMessage("temperature", true, "option \"temperature\" must be of type float, got boolean");
        assertMessage("top_k", "many", "option \"top_k\" must be of type integer, got \"many\"");
        assertMessage("stop", 5, "option \"stop\" must be of type array, got number");
        assertMessage("stop", Arrays.asList("a", 1), "option \"stop\" must be an array of strings, got an element of type number");
        assertMessage("seed", Map.of(), "option \"seed\" must be of type integer, got object");
    }

    private static void assertMessage(String key, Object value, String message) {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> OptionsParser.parse(Map.of(key, value)));
        assertEquals(message, e.getMessage());
        assertEquals(key, e.option());
    }

    @Test
    void emptyStopStringsAreDropped() {
        assertEquals(List.of("x"), OptionsParser.parse(Map.of("stop", List.of("", "x"))).stop());
    }
}
