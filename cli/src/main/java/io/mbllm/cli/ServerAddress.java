package io.mbllm.cli;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the client verbs connect (cli.md §3): {@code MBLLM_HOST}, else {@code OLLAMA_HOST}, else
 * {@code 127.0.0.1:11434}. Value form {@code [scheme://]host[:port][/path]}, quotes and spaces trimmed; no scheme
 * means {@code http} and port 11434, an explicit {@code http}/{@code https} defaults to 80/443; {@code :port}
 * alone keeps host 127.0.0.1; IPv6 goes in brackets; a path is a reverse-proxy prefix; an invalid port is warned
 * about and replaced by the default; the unspecified addresses {@code 0.0.0.0} and {@code ::} become loopback.
 */
public final class ServerAddress {
    /** The default port. */
    public static final int DEFAULT_PORT = 11434;

    private ServerAddress() {}

    /** The server base URI from the environment; warnings (bad port) go to {@code warn}. */
    public static URI fromEnvironment(Map<String, String> env, Consumer<String> warn) {
        String v = trimmed(env.get("MBLLM_HOST"));
        if (v.isEmpty()) v = trimmed(env.get("OLLAMA_HOST"));
        return parse(v, warn);
    }

    /** Parses one host value ({@code ""} gives the default). */
    public static URI parse(String value, Consumer<String> warn) {
        String s = trimmed(value);
        String scheme = "http";
        String defaultPort = Integer.toString(DEFAULT_PORT);
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
            s = s.substring(sep + 3);
            if (scheme.equals("http")) defaultPort = "80";
            else if (scheme.equals("https")) defaultPort = "443";
        }
        String path = "";
        int slash = s.indexOf('/');
        if (slash >= 0) {
            path = s.substring(slash);
            s = s.substring(0, slash);
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            host = close < 0 ? s.substring(1) : s.substring(1, close);
            String rest = close < 0 ? "" : s.substring(close + 1);
            port = rest.startsWith(":") ? rest.substring(1) : defaultPort;
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else if (colon >= 0) { // bare IPv6 without brackets
                host = s;
                port = defaultPort;
            } else {
                host = s;
                port = defaultPort;
            }
        }
        if (host.isEmpty() || host.equals("0.0.0.0")) host = "127.0.0.1";
        if (host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) host = "::1";
        int p;
        try {
            p = Integer.parseInt(port);
            if (p < 0 || p > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            warn.accept("invalid port \"" + port + "\", using default " + defaultPort);
            p = Integer.parseInt(defaultPort);
        }
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        return URI.create(scheme + "://" + h + ":" + p + path);
    }

    private static String trimmed(String v) {
        if (v == null) return "";
        String s = v.strip();
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            s = s.substring(1, s.length() - 1).strip();
        }
        return s;
    }
}
