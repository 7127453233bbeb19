package io.mbllm.server.http;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DNS-rebinding guard (api-contract §0.7): while bound to loopback, a request's {@code Host} must be empty,
 * {@code localhost}, the machine's name, a {@code *.localhost}/{@code *.local}/{@code *.internal} name, or a
 * loopback, private, link-local, unspecified or local-interface IP address. Names are never resolved.
 */
public final class HostGuard {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private final String machineName;

    public HostGuard() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            name = "";
        }
        this.machineName = name;
    }

    /** Whether a {@code Host} header value is acceptable. */
    public boolean allowed(String hostHeader) {
        if (hostHeader == null) return true;
        String h = hostOnly(hostHeader.strip()).toLowerCase(Locale.ROOT);
        if (h.isEmpty() || h.equals("localhost")) return true;
        if (!machineName.isEmpty() && h.equals(machineName)) return true;
        if (h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal")) return true;
        if (!IPV4.matcher(h).matches() && !h.contains(":")) return false;
        try {
            InetAddress a = InetAddress.getByName(h); // an IP literal: no lookup
            if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress()) return true;
            byte[] b = a.getAddress();
            if (b.length == 16 && (b[0] & 0xFE) == 0xFC) return true; // IPv6 unique local fc00::/7
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    /** The host part of a Host header (port and IPv6 brackets removed). */
    static String hostOnly(String h) {
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(1, close);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) return h.substring(0, colon);
        return h;
    }
}
