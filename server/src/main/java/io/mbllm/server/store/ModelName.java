package io.mbllm.server.store;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A fully qualified model name {@code host/namespace/model:tag} (api-contract.md §0.2, Ollama
 * {@code types/model/name.go}). Parsing fills missing parts with {@code registry.ollama.ai}, {@code library}
 * and {@code latest}; a part that is present but empty, too long or has a bad character makes the name
 * invalid.
 *
 * <p>Part rules: every part starts with {@code [A-Za-z0-9_]}; then model and tag allow
 * {@code [A-Za-z0-9_.-]}, namespace {@code [A-Za-z0-9_-]}, host {@code [A-Za-z0-9_.:-]}; host ≤ 350 chars,
 * the others ≤ 80. A {@code :} after the last {@code /} starts the tag; a {@code scheme://} before the host is
 * dropped.
 *
 * @param host      registry host, e.g. {@code registry.ollama.ai}
 * @param namespace e.g. {@code library}
 * @param model     e.g. {@code rocket-3b}
 * @param tag       e.g. {@code latest}
 */
public record ModelName(String host, String namespace, String model, String tag) {

    /** Default registry host. */
    public static final String DEFAULT_HOST = "registry.ollama.ai";
    /** Default namespace. */
    public static final String DEFAULT_NAMESPACE = "library";
    /** Default tag. */
    public static final String DEFAULT_TAG = "latest";

    private enum Kind { HOST, NAMESPACE, MODEL, TAG }

    public ModelName {
        if (!validPart(Kind.HOST, host) || !validPart(Kind.NAMESPACE, namespace) || !validPart(Kind.MODEL, model)
                || !validPart(Kind.TAG, tag)) {
            throw new IllegalArgumentException("invalid model name part in " + host + "/" + namespace + "/"
                    + model + ":" + tag);
        }
    }

    /** Parses and normalises {@code s} ({@code rocket-3b} → {@code registry.ollama.ai/library/rocket-3b:latest}). */
    public static ModelName parse(String s) throws InvalidModelNameException {
        if (s == null) {
            throw new InvalidModelNameException("");
        }
        String rest = s;
        String tag = DEFAULT_TAG;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String host = DEFAULT_HOST;
        String namespace = DEFAULT_NAMESPACE;
        String model;
        int slash = rest.lastIndexOf('/');
        if (slash < 0) {
            model = rest;
        } else {
            model = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            slash = rest.lastIndexOf('/');
            if (slash < 0) {
                namespace = rest;
            } else {
                namespace = rest.substring(slash + 1);
                host = rest.substring(0, slash);
                int scheme = host.indexOf("://");
                if (scheme >= 0) {
                    host = host.substring(scheme + 3);
                }
            }
        }
        if (!validPart(Kind.HOST, host) || !validPart(Kind.NAMESPACE, namespace) || !validPart(Kind.MODEL, model)
                || !validPart(Kind.TAG, tag)) {
            throw new InvalidModelNameException(s);
        }
        return new ModelName(host, namespace, model, tag);
    }

    /** True when {@link #parse} would accept {@code s}. */
    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (InvalidModelNameException e) {
            return false;
        }
    }

    /**
     * The shortest display form used in list/ps: host and namespace dropped when both are the defaults, only the
     * host when just the host is; the tag is always shown ({@code rocket-3b:latest}).
     */
    public String displayShortest() {
        StringBuilder sb = new StringBuilder();
        if (!host.equalsIgnoreCase(DEFAULT_HOST)) {
            sb.append(host).append('/').append(namespace).append('/');
        } else if (!namespace.equalsIgnoreCase(DEFAULT_NAMESPACE)) {
            sb.append(namespace).append('/');
        }
        return sb.append(model).append(':').append(tag).toString();
    }

    /** The manifest file under {@code manifestsDir}: {@code <host>/<namespace>/<model>/<tag>}. */
    public Path manifestPath(Path manifestsDir) {
        return manifestsDir.resolve(host).resolve(namespace).resolve(model).resolve(tag);
    }

    /** Case-insensitive equality of every part (how Ollama matches existing models). */
    public boolean equalsIgnoreCase(ModelName o) {
        return host.equalsIgnoreCase(o.host) && namespace.equalsIgnoreCase(o.namespace)
                && model.equalsIgnoreCase(o.model) && tag.equalsIgnoreCase(o.tag);
    }

    /** A key equal for names that differ only in case. */
    public String caseFoldKey() {
        return toString().toLowerCase(Locale.ROOT);
    }

    /** The fully qualified form {@code host/namespace/model:tag}. */
    @Override
    public String toString() {
        return host + "/" + namespace + "/" + model + ":" + tag;
    }

    private static boolean validPart(Kind kind, String s) {
        if (s == null || s.isEmpty() || s.length() > (kind == Kind.HOST ? 350 : 80)) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (i == 0) {
                if (!alnum) {
                    return false;
                }
                continue;
            }
            boolean ok = alnum || c == '-'
                    || (c == '.' && kind != Kind.NAMESPACE)
                    || (c == ':' && kind == Kind.HOST);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
