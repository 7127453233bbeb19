package io.mbllm.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mbllm.server.sched.MemoryModelResolver;

/** The DNS-rebinding Host guard and CORS on a loopback-bound server. */
class GuardTest {
    static MbllmServer server;

    @BeforeAll
    static void start() throws Exception {
        server = MbllmServer.start(ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0))
                .withOrigins(List.of("https://*.trusted.example")), new MemoryModelResolver());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String call(String method, String path, String... headers) throws Exception {
        try (RawClient c = new RawClient(server.port(), method, path, null, headers)) {
            return c.readAll();
        }
    }

    static String header(String response, String name) {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) return line.substring(colon + 1).strip();
        }
        return null;
    }

    @Test
    void foreignHostIsForbidden() throws Exception {
        String r = call("GET", "/api/version", "Host: evil.example.com");
        assertTrue(r.startsWith("HTTP/1.1 403"), r);
        assertTrue(r.contains("host not allowed"));
        assertTrue(call("GET", "/api/tags", "Host: 8.8.8.8:11434").startsWith("HTTP/1.1 403"));
        for (String ok : new String[] {"localhost:11434", "127.0.0.1", "[::1]:11434", "myapp.localhost", "10.0.0.5"}) {
            assertTrue(call("GET", "/api/version", "Host: " + ok).startsWith("HTTP/1.1 200"), ok);
        }
    }

    @Test
    void allowedOriginGetsCorsHeaders() throws Exception {
        String r = call("GET", "/api/version", "Origin: http://localhost:3000");
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
        assertEquals("http://localhost:3000", header(r, "Access-Control-Allow-Origin"));
        String custom = call("GET", "/api/version", "Origin: https://app.trusted.example");
        assertEquals("https://app.trusted.example", header(custom, "Access-Control-Allow-Origin"));
        String none = call("GET", "/api/version");
        assertEquals(null, header(none, "Access-Control-Allow-Origin"));
    }

    @Test
    void foreignOriginIsForbidden() throws Exception {
        String r = call("POST", "/api/generate", "Origin: https://evil.example.com");
        assertTrue(r.startsWith("HTTP/1.1 403"), r);
        assertFalse(r.contains("Access-Control-Allow-Origin"));
    }

    @Test
    void preflight() throws Exception {
        String r = call("OPTIONS", "/v1/chat/completions", "Origin: http://127.0.0.1:5173",
                "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization, x-stainless-os");
        assertTrue(r.startsWith("HTTP/1.1 204"), r);
        assertEquals("http://127.0.0.1:5173", header(r, "Access-Control-Allow-Origin"));
        String allowed = header(r, "Access-Control-Allow-Headers");
        assertTrue(allowed.contains("Authorization") && allowed.contains("x-stainless-os") && allowed.contains("OpenAI-Beta"));
        assertTrue(header(r, "Access-Control-Allow-Methods").contains("POST"));
        assertTrue(call("OPTIONS", "/api/chat", "Origin: https://evil.example.com",
                "Access-Control-Request-Method: POST").startsWith("HTTP/1.1 403"));
    }

    @Test
    void authorizationHeaderIsIgnored() throws Exception {
        assertTrue(call("GET", "/v1/models", "Authorization: Bearer anything").startsWith("HTTP/1.1 200"));
    }
}
