package io.mbllm.server.http;

import static io.mbllm.server.http.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.sched.KeepAlive;

/** Load on first use, keep_alive (request and default), the loaded-model limit, num_ctx per request. */
class SchedulingTest {
    static final String GEN = "{\"model\":\"%s\",\"prompt\":\"Lily\",\"stream\":false,\"options\":{\"num_predict\":2%s}%s}";

    @Test
    void keepAliveZeroUnloadsAfterTheRequest() throws Exception {
        try (TestServer s = new TestServer(TestServer.config())) {
            assertEquals(0, json(s.get("/api/ps")).get("models").size(), "nothing loaded before the first request");
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", "", ",\"keep_alive\":0")).statusCode());
            assertEquals(0, json(s.get("/api/ps")).get("models").size());
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", "", ",\"keep_alive\":\"-1m\"")).statusCode());
            JsonNode forever = json(s.get("/api/ps")).get("models").get(0);
            assertTrue(OffsetDateTime.parse(forever.get("expires_at").asText()).isAfter(OffsetDateTime.now().plusYears(200)));
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", "", ",\"keep_alive\":\"10m\"")).statusCode());
            JsonNode tenMin = json(s.get("/api/ps")).get("models").get(0);
            OffsetDateTime exp = OffsetDateTime.parse(tenMin.get("expires_at").asText());
            assertTrue(exp.isAfter(OffsetDateTime.now().plusMinutes(9)) && exp.isBefore(OffsetDateTime.now().plusMinutes(11)), exp.toString());
        }
    }

    @Test
    void shortKeepAliveExpires() throws Exception {
        try (TestServer s = new TestServer(TestServer.config().withDefaultKeepAlive(new KeepAlive(Duration.ofMillis(200))))) {
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", "", "")).statusCode());
            assertEquals(1, json(s.get("/api/ps")).get("models").size());
            ConcurrencyTest.await("expiry", () -> {
                try {
                    return json(s.get("/api/ps")).get("models").isEmpty();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
        }
    }

    @Test
    void loadedModelLimitEvictsTheIdleOne() throws Exception {
        try (TestServer s = new TestServer(TestServer.config().withMaxLoadedModels(1))) {
            s.resolver.copy(io.mbllm.server.sched.ModelRef.parse("stories"), io.mbllm.server.sched.ModelRef.parse("other"));
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", "", "")).statusCode());
            assertEquals(200, s.post("/api/generate", GEN.formatted("other", "", "")).statusCode());
            JsonNode ps = json(s.get("/api/ps")).get("models");
            assertEquals(1, ps.size());
            assertEquals("other:latest", ps.get(0).get("name").asText());
        }
    }

    @Test
    void numCtxIsPerRequestAndCappedAtTheTrainedContext() throws Exception {
        try (TestServer s = new TestServer(TestServer.config())) {
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", ",\"num_ctx\":128", "")).statusCode());
            assertEquals(128, json(s.get("/api/ps")).get("models").get(0).get("context_length").asInt());
            assertEquals(200, s.post("/api/generate", GEN.formatted("stories", ",\"num_ctx\":100000", "")).statusCode());
            assertEquals(2048, json(s.get("/api/ps")).get("models").get(0).get("context_length").asInt());
            // a smaller num_ctx reuses the loaded context but still limits the prompt
            var r = s.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + "Lily ".repeat(40)
                    + "\",\"truncate\":false,\"options\":{\"num_ctx\":16}}");
            assertEquals(400, r.statusCode());
            assertEquals(2048, json(s.get("/api/ps")).get("models").get(0).get("context_length").asInt());
        }
    }
}
