package io.mbllm.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which browser origins may call the API (api-contract §0.7): the configured ones plus localhost,
 * 127.0.0.1 and 0.0.0.0 over http/https with any port, and the app schemes {@code app}, {@code file},
 * {@code tauri}, {@code vscode-webview}, {@code vscode-file}. {@code *} matches any run of characters.
 */
public final class CorsPolicy {
    /** Request headers browsers may send (the contract's list). */
    public static final String ALLOWED_HEADERS = String.join(", ", "Authorization", "Content-Type", "User-Agent",
            "Accept", "X-Requested-With", "OpenAI-Beta", "x-stainless-arch", "x-stainless-async",
            "x-stainless-custom-poll-interval", "x-stainless-helper-method", "x-stainless-lang", "x-stainless-os",
            "x-stainless-package-version", "x-stainless-poll-helper", "x-stainless-retry-count",
            "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-timeout");
    /** Methods allowed in preflight answers. */
    public static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";

    private final List<Pattern> patterns = new ArrayList<>();

    public CorsPolicy(List<String> extraOrigins) {
        List<String> all = new ArrayList<>(extraOrigins);
        for (String host : List.of("localhost", "127.0.0.1", "0.0.0.0")) {
            for (String scheme : List.of("http", "https")) {
                all.add(scheme + "://" + host);
                all.add(scheme + "://" + host + ":*");
            }
        }
        for (String scheme : List.of("app", "file", "tauri", "vscode-webview", "vscode-file")) all.add(scheme + "://*");
        for (String o : all) patterns.add(glob(o.strip().toLowerCase(Locale.ROOT)));
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (String part : g.split("\\*", -1)) {
            if (!re.isEmpty()) re.append(".*");
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /** Whether {@code origin} may call the API. */
    public boolean allowed(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        for (Pattern p : patterns) if (p.matcher(o).matches()) return true;
        return false;
    }
}
