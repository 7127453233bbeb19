package io.mbllm.server.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.mbllm.server.web.WebAssets;

/**
 * {@code GET /} and {@code GET /web/<file>}: the browser page. A browser (its {@code Accept} names
 * {@code text/html}) gets the page; any other client gets Ollama's plain {@code Ollama is running}, which
 * clients probe to see whether the server is up. Files are revalidated by ETag ({@code no-cache}, 304 when
 * unchanged), so a new jar's page shows at once; a Content-Security-Policy keeps the page to this server.
 */
final class WebEndpoints {
    /** Ollama's answer to {@code GET /}. */
    static final String RUNNING = "Ollama is running";
    /** The page may load and call only this origin; no inline script or style, no framing. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String PLAIN = "text/plain; charset=utf-8";
    private static final String NOT_FOUND = "404 page not found";

    private final WebAssets assets;

    WebEndpoints(WebAssets assets) {
        this.assets = assets;
    }

    /** {@code GET /}: the page for browsers, the plain text for everything else. */
    void root(Exchange ex) {
        if (!wantsHtml(ex.header("Accept"))) {
            ex.sendBytes(200, PLAIN, RUNNING.getBytes(StandardCharsets.UTF_8), Map.of("Vary", "Accept"));
            return;
        }
        serve(ex, assets.index(), true);
    }

    /** {@code GET /web/<file>}: a script or style sheet of the page. */
    void file(Exchange ex) {
        assets.get(ex.pathParam()).ifPresentOrElse(a -> serve(ex, a, false),
                () -> ex.sendText(404, PLAIN, NOT_FOUND));
    }

    /** Whether an {@code Accept} header asks for HTML (what browsers send when navigating). */
    static boolean wantsHtml(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
    }

    private static void serve(Exchange ex, WebAssets.Asset a, boolean page) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ETag", a.etag());
        h.put("Cache-Control", "no-cache");
        h.put("X-Content-Type-Options", "nosniff");
        if (page) {
            h.put("Vary", "Accept");
            h.put("Content-Security-Policy", CSP);
            h.put("Referrer-Policy", "no-referrer");
        }
        if (matches(ex.header("If-None-Match"), a.etag())) {
            ex.sendBytes(304, null, new byte[0], h);
        } else {
            ex.sendBytes(200, a.contentType(), a.bytes(), h);
        }
    }

    /** {@code If-None-Match}: {@code *} or a list of tags, weak ones compared weakly (RFC 9110 §13.1.2). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) return false;
        for (String t : ifNoneMatch.split(",")) {
            String tag = t.strip();
            if (tag.startsWith("W/")) tag = tag.substring(2);
            if (tag.equals("*") || tag.equals(etag)) return true;
        }
        return false;
    }
}
