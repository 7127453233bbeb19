package io.mbllm.server.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the server listens, parsed from {@code MBLLM_HOST}/{@code OLLAMA_HOST} as cli.md §3 says: optional
 * {@code http://}/{@code https://}; without a scheme the default port is 11434, with one 80/443; {@code :port}
 * alone keeps host 127.0.0.1; IPv6 in brackets; a path is ignored; quotes and spaces trimmed; an invalid port
 * falls back to the default (with a warning).
 */
public record BindAddress(String host, int port) {
    private static final System.Logger LOG = System.getLogger(BindAddress.class.getName());

    /** 127.0.0.1:11434. */
    public static final BindAddress DEFAULT = new BindAddress("127.0.0.1", 11434);

    /** Parses a host value; null or blank gives {@link #DEFAULT}. */
    public static BindAddress parse(String value) {
        if (value == null) return DEFAULT;
        String s = value.strip();
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            s = s.substring(1, s.length() - 1).strip();
        }
        if (s.isEmpty()) return DEFAULT;
        int defaultPort = 11434;
        if (s.startsWith("http://")) {
            s = s.substring(7);
            defaultPort = 80;
        } else if (s.startsWith("https://")) {
            s = s.substring(8);
            defaultPort = 443;
        }
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) return DEFAULT;
            host = s.substring(1, close);
            if (s.length() > close + 1 && s.charAt(close + 1) == ':') port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else {
                host = s;
            }
        }
        if (host.isEmpty()) host = "127.0.0.1";
        int p = defaultPort;
        if (port != null && !port.isEmpty()) {
            try {
                p = Integer.parseInt(port);
                if (p < 0 || p > 65535) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                LOG.log(System.Logger.Level.WARNING, "invalid port in host value {0}, using {1}", value, defaultPort);
                p = defaultPort;
            }
        }
        return new BindAddress(host, p);
    }

    /** Whether the address is a loopback address (then the Host guard applies). */
    public boolean loopback() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
