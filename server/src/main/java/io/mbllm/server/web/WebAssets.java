package io.mbllm.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The page's files, read once from the classpath ({@code io/mbllm/server/web/}) with their content type and a
 * strong ETag (the first 16 bytes of their SHA-256, hex), so a browser revalidates with a cheap 304.
 */
public final class WebAssets {
    /** One bundled file. */
    public record Asset(String name, String contentType, byte[] bytes, String etag) {}

    /** Content type by file extension: the only kinds the page is made of. */
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    /** The files of the page; {@code index.html} is served at {@code /}, the others under {@code /web/}. */
    static final String[] FILES = {"index.html", "app.js", "style.css"};

    private static final String ROOT = "/io/mbllm/server/web/";

    private final Map<String, Asset> assets;

    private WebAssets(Map<String, Asset> assets) {
        this.assets = assets;
    }

    /** Loads the bundled files; a missing one is a packaging error. */
    public static WebAssets load() {
        Map<String, Asset> m = new LinkedHashMap<>();
        for (String name : FILES) {
            try (InputStream in = WebAssets.class.getResourceAsStream(ROOT + name)) {
                if (in == null) throw new IllegalStateException("web page file missing from the jar: " + ROOT + name);
                byte[] bytes = in.readAllBytes();
                m.put(name, new Asset(name, contentType(name), bytes, etag(bytes)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new WebAssets(Map.copyOf(m));
    }

    /** The page itself. */
    public Asset index() {
        return assets.get("index.html");
    }

    /** A file by name ({@code app.js}), if bundled. */
    public Optional<Asset> get(String name) {
        return Optional.ofNullable(assets.get(name));
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        if (type == null) throw new IllegalArgumentException("no content type for " + name);
        return type;
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
