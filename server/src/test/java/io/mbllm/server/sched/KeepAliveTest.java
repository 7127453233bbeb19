package io.mbllm.server.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.mbllm.server.api.Json;

class KeepAliveTest {
    static KeepAlive json(String s) throws Exception {
        return KeepAlive.fromJson(Json.MAPPER.readTree(s), KeepAlive.DEFAULT);
    }

    @Test
    void numbersAreSecondsStringsAreDurations() throws Exception {
        assertEquals(Duration.ofSeconds(300), json("300").duration());
        assertEquals(Duration.ofMillis(1500), json("1.5").duration());
        assertEquals(Duration.ofMinutes(5), json("\"5m\"").duration());
        assertEquals(Duration.ofMinutes(90), json("\"1h30m\"").duration());
        assertEquals(Duration.ofMillis(1500), json("\"1.5s\"").duration());
        assertEquals(Duration.ofNanos(2500), json("\"2us500ns\"").duration());
        assertEquals(Duration.ofSeconds(300), json("\"300\"").duration(), "unit-less string = seconds (mbllm)");
        assertTrue(json("\"0\"").zero());
        assertTrue(json("0").zero());
        assertTrue(json("\"-1m\"").forever());
        assertTrue(json("-1").forever());
        assertEquals(KeepAlive.DEFAULT, KeepAlive.fromJson(null, KeepAlive.DEFAULT));
        assertEquals(KeepAlive.DEFAULT, json("null"));
    }

    @Test
    void badValuesAreRejected() {
        for (String bad : new String[] {"\"5 minutes\"", "\"m\"", "\"5x\"", "true", "[1]", "\"\"", "\"1..2s\""}) {
            assertThrows(IllegalArgumentException.class, () -> json(bad), bad);
        }
    }
}
