package io.mbllm.server.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelRefTest {
    @Test
    void defaultsAndDisplay() {
        assertEquals(ModelRef.parse("rocket-3b").key(), ModelRef.parse("registry.ollama.ai/library/rocket-3b:latest").key());
        assertEquals(ModelRef.parse("Rocket-3B:Q4").key(), ModelRef.parse("rocket-3b:q4").key());
        assertEquals("rocket-3b:latest", ModelRef.parse("rocket-3b").display());
        assertEquals("me/rocket:q4", ModelRef.parse("me/rocket:q4").display());
        assertEquals("example.com:5000/me/rocket:latest", ModelRef.parse("example.com:5000/me/rocket").display());
        assertEquals("me", ModelRef.parse("me/rocket:q4").namespace());
    }

    @Test
    void grammar() {
        for (String bad : new String[] {"", "-x", "a b", "x:", "a/b/c/d", "ns.dot/m", "m:t:t", "x".repeat(81), "m:-t"}) {
            assertFalse(ModelRef.isValid(bad), bad);
        }
        for (String ok : new String[] {"a", "_a.b-c", "m:1.0", "ns_1/m", "host.io:443/ns/m:t"}) {
            assertTrue(ModelRef.isValid(ok), ok);
        }
    }
}
