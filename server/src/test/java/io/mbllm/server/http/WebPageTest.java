package io.mbllm.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mbllm.server.sched.MemoryModelResolver;

/** The page at {@code /} and its files under {@code /web/}, next to Ollama's plain answer for non-browsers. */
class WebPageTest {
    static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    static MbllmServer server;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        server = MbllmServer.start(ServerConfig.defaults().withBind(new BindAddress("127.0.0.1", 0)),
                new MemoryModelResolver());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void nonBrowsersStillGetOllamaIsRunning() throws Exception {
        for (String[] accept : new String[][] {{}, {"Accept", "*/*"}, {"Accept", "application/json"}}) {
            var r = send("GET", "/", accept);
            assertEquals(200, r.statusCode());
            assertEquals("Ollama is running", r.body());
            assertEquals("text/plain; charset=utf-8", header(r, "content-type"));
            assertEquals("Accept", header(r, "vary"), "caches must keep the two answers of / apart");
        }
        var head = send("HEAD", "/");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("17", header(head, "content-length"));
    }

    @Test
    void browsersGetThePageWithItsHeaders() throws Exception {
        var r = send("GET", "/", "Accept", BROWSER_ACCEPT);
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=utf-8", header(r, "content-type"));
        assertTrue(r.body().startsWith("<!doctype html>"), r.body());
        assertEquals("no-cache", header(r, "cache-control"));
        assertEquals("nosniff", header(r, "x-content-type-options"));
        assertEquals(WebEndpoints.CSP, header(r, "content-security-policy"));
        assertTrue(header(r, "etag").matches("\"[0-9a-f]{32}\""), header(r, "etag"));
        var head = send("HEAD", "/", "Accept", BROWSER_ACCEPT);
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(String.valueOf(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                header(head, "content-length"));
    }

    @Test
    void unchangedFilesAnswer304() throws Exception {
        var first = send("GET", "/web/app.js");
        String etag = header(first, "etag");
        assertNotNull(etag);
        var again = send("GET", "/web/app.js", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertEquals(etag, header(again, "etag"));
        assertEquals(304, send("GET", "/", "Accept", BROWSER_ACCEPT, "If-None-Match", "W/\"x\", " + etag(BROWSER_ACCEPT)).statusCode());
        assertEquals(200, send("GET", "/web/app.js", "If-None-Match", "\"other\"").statusCode());
    }

    private static String etag(String accept) throws Exception {
        return header(send("GET", "/", "Accept", accept), "etag");
    }

    @Test
    void everyFileThePageLoadsIsServedWithItsType() throws Exception {
        String page = send("GET", "/", "Accept", BROWSER_ACCEPT).body();
        Set<String> refs = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
        while (m.find()) if (!m.group(1).startsWith("data:")) refs.add(m.group(1));
        assertEquals(Set.of("/web/app.js", "/web/style.css"), refs);
        assertEquals("text/javascript; charset=utf-8", header(send("GET", "/web/app.js"), "content-type"));
        assertEquals("text/css; charset=utf-8", header(send("GET", "/web/style.css"), "content-type"));
        var missing = send("GET", "/web/nothing.js");
        assertEquals(404, missing.statusCode());
        assertEquals("404 page not found", missing.body());
        assertEquals(404, send("GET", "/web/../pom.xml").statusCode());
        assertEquals(404, send("GET", "/web/index.html/x").statusCode());
    }

    @Test
    void thePageNeedsNothingFromElsewhere() throws Exception {
        Pattern external = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}|@import|url\\(\\s*['\"]?(https?:|//)");
        for (String path : new String[] {"/web/app.js", "/web/style.css"}) {
            String body = send("GET", path).body();
            // comments may name things; code may not load them
            String code = body.replaceAll("(?m)^\\s*(//|/\\*|\\*).*$", "");
            assertFalse(external.matcher(code).find(), path + " refers to another host");
        }
        assertFalse(external.matcher(send("GET", "/", "Accept", BROWSER_ACCEPT).body()).find());
    }

    @Test
    void everyElementTheScriptUsesExists() throws Exception {
        String page = send("GET", "/", "Accept", BROWSER_ACCEPT).body();
        String script = send("GET", "/web/app.js").body();
        Set<String> ids = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\$\\('([a-z-]+)'\\)").matcher(script);
        while (m.find()) ids.add(m.group(1));
        Matcher t = Pattern.compile("\\$\\(`(tab|view)-\\$\\{view}`\\)").matcher(script);
        while (t.find()) for (String v : new String[] {"chat", "compare"}) ids.add(t.group(1) + "-" + v);
        assertTrue(ids.size() > 20, "found " + ids);
        for (String id : ids) assertTrue(page.contains("id=\"" + id + "\""), "index.html lacks #" + id);
    }

    @Test
    void thePagesOwnRequestsPassTheOriginCheck() throws Exception {
        // a browser adds Origin to the page's POSTs; same-origin is no CORS request, whatever address served it
        try (RawClient c = new RawClient(server.port(), "POST", "/api/show", "{}", "Host: 10.0.0.5:11434",
                "Origin: http://10.0.0.5:11434")) {
            String r = c.readAll();
            assertFalse(r.startsWith("HTTP/1.1 403"), r);
            assertFalse(r.contains("Access-Control-Allow-Origin"), r);
        }
        try (RawClient c = new RawClient(server.port(), "POST", "/api/show", "{}", "Host: 10.0.0.5:11434",
                "Origin: http://10.0.0.6:11434")) {
            assertTrue(c.readAll().startsWith("HTTP/1.1 403"));
        }
    }
}
