package io.mbllm.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** MBLLM_HOST parsing, env settings, Host guard and CORS rules. */
class ConfigTest {
    @Test
    void hostValues() {
        assertEquals(new BindAddress("127.0.0.1", 11434), BindAddress.parse(null));
        assertEquals(new BindAddress("0.0.0.0", 11434), BindAddress.parse("0.0.0.0"));
        assertEquals(new BindAddress("127.0.0.1", 8080), BindAddress.parse(":8080"));
        assertEquals(new BindAddress("example.com", 80), BindAddress.parse("http://example.com"));
        assertEquals(new BindAddress("example.com", 443), BindAddress.parse("https://example.com/prefix"));
        assertEquals(new BindAddress("::1", 9000), BindAddress.parse("[::1]:9000"));
        assertEquals(new BindAddress("10.0.0.1", 11434), BindAddress.parse(" \"10.0.0.1:bad\" "));
        assertTrue(BindAddress.parse("127.0.0.1").loopback());
        assertFalse(BindAddress.parse("0.0.0.0").loopback());
    }

    @Test
    void envPrefersMbllmOverOllama() {
        ServerConfig c = ServerConfig.fromEnv(Map.of("MBLLM_HOST", ":9999", "OLLAMA_HOST", ":1111",
                "OLLAMA_NUM_PARALLEL", "4", "MBLLM_MAX_QUEUE", "7", "MBLLM_KEEP_ALIVE", "30",
                "MBLLM_ORIGINS", "https://a.example, chrome-extension://*", "MBLLM_MAX_LOADED_MODELS", "oops"));
        assertEquals(9999, c.bind().port());
        assertEquals(4, c.scheduler().numParallel());
        assertEquals(7, c.scheduler().maxQueue());
        assertEquals(3, c.scheduler().maxLoadedModels(), "invalid value: default");
        assertEquals(Duration.ofSeconds(30), c.scheduler().defaultKeepAlive().duration());
        assertEquals(List.of("https://a.example", "chrome-extension://*"), c.origins());
        assertEquals(4096, c.scheduler().contextLength());
    }

    @Test
    void hostGuard() {
        HostGuard g = new HostGuard();
        for (String ok : new String[] {"", "localhost", "localhost:11434", "LOCALHOST", "127.0.0.1:11434", "[::1]:11434",
                "app.localhost", "box.local", "svc.internal", "10.1.2.3", "192.168.0.1:80", "0.0.0.0", "[fd00::1]"}) {
            assertTrue(g.allowed(ok), ok);
        }
        for (String bad : new String[] {"evil.com", "evil.com:11434", "8.8.8.8", "localhost.evil.com", "[2001:4860::1]"}) {
            assertFalse(g.allowed(bad), bad);
        }
    }

    @Test
    void corsOrigins() {
        CorsPolicy p = new CorsPolicy(List.of("https://*.example.org"));
        for (String ok : new String[] {"http://localhost", "http://localhost:3000", "https://127.0.0.1:8443",
                "http://0.0.0.0:1", "app://x", "file://", "tauri://localhost", "vscode-webview://abc",
                "https://app.example.org"}) {
            assertTrue(p.allowed(ok), ok);
        }
        for (String bad : new String[] {"https://evil.com", "http://localhost.evil.com", "chrome-extension://abc",
                "http://127.0.0.2", "null"}) {
            assertFalse(p.allowed(bad), bad);
        }
    }
}
